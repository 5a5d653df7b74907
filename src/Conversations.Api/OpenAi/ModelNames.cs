using Conversations.Contracts.Routing;

namespace Conversations.Api.OpenAi;

/// <summary>
/// The model names a tenant's callers may use: <c>auto</c> (the tenant's routing decides), the tiers <c>small</c> and
/// <c>large</c>, and, once the tenant has a routing policy, its registered model ids. Without a policy the platform's
/// configured model answers every name.
/// </summary>
internal static class ModelNames
{
    /// <summary>Routing decides; also what an absent <c>model</c> means.</summary>
    public const string Auto = "auto";

    /// <summary>The names every tenant has: auto and the tiers.</summary>
    public static readonly IReadOnlyList<string> Builtin = [Auto, "small", "large"];

    /// <summary>Who owns the built-in names in the model list.</summary>
    public const string PlatformOwner = "conversations";

    /// <summary>True for a name that needs no look-up.</summary>
    public static bool IsBuiltin(string name) => Builtin.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The tenant's registered model ids that a caller may name (only with a routing policy: without one, no registered model is called).</summary>
    public static async Task<IReadOnlyList<string>> RegisteredAsync(IGrainFactory grains, string tenantId)
    {
        var config = await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync();
        return config.Policy is null ? [] : [.. config.Models.Select(m => m.Id).Where(id => !IsBuiltin(id))];
    }

    /// <summary>
    /// What the turn is asked for: null for <c>auto</c>, the tier or the registered id as the tenant spells it; false
    /// when the tenant has no such model.
    /// </summary>
    public static async Task<(bool Known, string? Requested)> ResolveAsync(IGrainFactory grains, string tenantId, string? name)
    {
        // No name is the platform's choice; an empty one names nothing (a 404 model_not_found, as any unknown name).
        if (name is null || string.Equals(name, Auto, StringComparison.OrdinalIgnoreCase)) return (true, null);
        if (name.Length == 0) return (false, null);
        if (IsBuiltin(name)) return (true, name.ToLowerInvariant());
        var id = (await RegisteredAsync(grains, tenantId)).FirstOrDefault(m => string.Equals(m, name, StringComparison.OrdinalIgnoreCase));
        return (id is not null, id);
    }
}
