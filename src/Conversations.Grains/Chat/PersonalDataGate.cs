using Conversations.Contracts.Moderation;
using Conversations.Models.Chat;

namespace Conversations.Grains.Chat;

/// <summary>
/// What leaves the platform: the question's personal data and secrets are masked in a model request (as they are in
/// the stored history) unless the tenant's policy sends them, or, by default, the model runs on an endpoint the
/// operator allows (<see cref="ChatOptions.PersonalDataAllowedHosts"/>). Models in this process always see the text.
/// </summary>
internal static class PersonalDataGate
{
    /// <summary>The request as <paramref name="model"/> may receive it.</summary>
    public static ModelRequest For(IChatModel model, ModelRequest request, InputVerdict verdict, IReadOnlyCollection<string> allowedHosts)
    {
        if (!MustMask(model.Endpoint, verdict.PersonalDataToModels, allowedHosts)) return request;
        var raw = verdict.TextForModel;
        var masked = verdict.TextToStore;
        if (raw.Length == 0 || string.Equals(raw, masked, StringComparison.Ordinal)) return request;
        // The question is in the last user message (its sources follow it); earlier turns come from the masked history.
        return request with
        {
            Messages = request.Messages.Select(m => m.Content.Contains(raw, StringComparison.Ordinal)
                ? m with { Content = m.Content.Replace(raw, masked, StringComparison.Ordinal) } : m).ToList(),
        };
    }

    /// <summary>True when a model at <paramref name="endpoint"/> must get masked text under <paramref name="policy"/>.</summary>
    public static bool MustMask(Uri? endpoint, string policy, IReadOnlyCollection<string> allowedHosts) =>
        endpoint is not null && policy switch
        {
            ModerationSettings.PersonalDataSend => false,
            ModerationSettings.PersonalDataMask => true,
            _ => !allowedHosts.Contains(endpoint.Host, StringComparer.OrdinalIgnoreCase),
        };
}
