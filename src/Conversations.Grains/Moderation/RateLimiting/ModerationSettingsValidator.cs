using Conversations.Contracts.Moderation;

namespace Conversations.Grains.Moderation.RateLimiting;

/// <summary>Checks a moderation settings patch; throws <see cref="ArgumentException"/> with a message fit for the API's 400.</summary>
internal static class ModerationSettingsValidator
{
    /// <summary>Returns the settings with the patch applied, or throws when a value is out of range.</summary>
    public static ModerationSettings Apply(ModerationSettings current, ModerationSettingsPatch patch)
    {
        var next = current with
        {
            UserRequestsPerMinute = patch.UserRequestsPerMinute ?? current.UserRequestsPerMinute,
            UserTokensPerMinute = patch.UserTokensPerMinute ?? current.UserTokensPerMinute,
            TenantRequestsPerMinute = patch.TenantRequestsPerMinute ?? current.TenantRequestsPerMinute,
            TenantTokensPerMinute = patch.TenantTokensPerMinute ?? current.TenantTokensPerMinute,
            GreenFailureMode = patch.GreenFailureMode?.Trim().ToLowerInvariant() ?? current.GreenFailureMode,
            GreenOutputFailureMode = patch.GreenOutputFailureMode?.Trim().ToLowerInvariant() ?? current.GreenOutputFailureMode ?? ModerationSettings.FailOpen,
            PersonalDataToModels = patch.PersonalDataToModels?.Trim().ToLowerInvariant() ?? current.PersonalDataToModels,
            // Addresses and domains compare without case; a list sent replaces the old one.
            // An array: the grain storage writes the list's type into its JSON, and reads back only types it allows.
            PublicContacts = patch.PublicContacts is { } contacts
                ? contacts.Select(c => c?.Trim() ?? "").Select(c => c.Contains('@') ? c.ToLowerInvariant() : c).Distinct(StringComparer.Ordinal).ToArray()
                : current.PublicContacts ?? [],
        };
        if (next.PublicContacts.Count > ModerationSettings.MaxPublicContacts)
            throw new ArgumentException($"publicContacts takes at most {ModerationSettings.MaxPublicContacts} entries; this list has {next.PublicContacts.Count}.");
        foreach (var contact in next.PublicContacts)
        {
            if (Conversations.Moderation.Pii.PublicContacts.Problem(contact) is { } problem)
                throw new ArgumentException($"publicContacts: '{(contact.Length > 60 ? contact[..60] + "…" : contact)}' is not valid: {problem}.");
        }
        Range("userRequestsPerMinute", next.UserRequestsPerMinute);
        Range("userTokensPerMinute", next.UserTokensPerMinute);
        Range("tenantRequestsPerMinute", next.TenantRequestsPerMinute);
        Range("tenantTokensPerMinute", next.TenantTokensPerMinute);
        if (next.UserRequestsPerMinute > next.TenantRequestsPerMinute)
            throw new ArgumentException("userRequestsPerMinute must not exceed tenantRequestsPerMinute.");
        if (next.UserTokensPerMinute > next.TenantTokensPerMinute)
            throw new ArgumentException("userTokensPerMinute must not exceed tenantTokensPerMinute.");
        if (next.GreenFailureMode is not (ModerationSettings.FailOpen or ModerationSettings.FailClosed))
            throw new ArgumentException($"greenFailureMode must be '{ModerationSettings.FailOpen}' (the built-in engine decides alone) or '{ModerationSettings.FailClosed}' (refuse while Green is unreachable).");
        if (next.GreenOutputFailureMode is not (ModerationSettings.FailOpen or ModerationSettings.FailClosed))
            throw new ArgumentException($"greenOutputFailureMode must be '{ModerationSettings.FailOpen}' (the local output guard goes on alone) or '{ModerationSettings.FailClosed}' (withhold the rest of the answer while Green is unreachable).");
        if (next.PersonalDataToModels is not (ModerationSettings.PersonalDataDefault or ModerationSettings.PersonalDataMask or ModerationSettings.PersonalDataSend))
            throw new ArgumentException($"personalDataToModels must be '{ModerationSettings.PersonalDataDefault}' (masked unless the model's endpoint is on the operator's allowlist), '{ModerationSettings.PersonalDataMask}' or '{ModerationSettings.PersonalDataSend}'.");
        return next;
    }

    private static void Range(string name, int value)
    {
        if (value is < 1 or > ModerationSettings.MaxLimit)
            throw new ArgumentException($"{name} must be between 1 and {ModerationSettings.MaxLimit:N0}.");
    }
}
