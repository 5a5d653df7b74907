using Conversations.Contracts.Routing;

namespace Conversations.Grains.Routing;

/// <summary>
/// What one tenant's calls to one registered model depend on: its own credential's circuit and the endpoint's shared
/// circuit. Either one open keeps the model out of the tenant's turns.
/// </summary>
/// <param name="CredentialKey">The grain key of the tenant's credential on the endpoint.</param>
/// <param name="Credential">The tenant's own figures and circuit.</param>
/// <param name="SharedKey">The grain key of the endpoint's shared circuit.</param>
/// <param name="Shared">The endpoint's shared circuit (its counts include other tenants: never shown to a tenant).</param>
public sealed record EndpointHealth(string CredentialKey, ModelHealthView Credential, string SharedKey, ModelHealthView Shared)
{
    /// <summary>The circuit the router acts on, as observed: "open" if either is, else "half-open" if either is, else "closed".</summary>
    public string Circuit => Combine(Credential.Circuit, Shared.Circuit);

    /// <summary><see cref="Circuit"/> at <paramref name="now"/>: an open circuit whose break has ended reads half-open.</summary>
    public string CircuitAt(DateTimeOffset now) => Combine(At(Credential, now), At(Shared, now));

    /// <summary>The grain keys whose circuits are half-open at <paramref name="now"/> (a probe must be taken from each).</summary>
    public IEnumerable<string> HalfOpenKeysAt(DateTimeOffset now)
    {
        if (At(Credential, now) == "half-open") yield return CredentialKey;
        if (At(Shared, now) == "half-open") yield return SharedKey;
    }

    /// <summary>A view's circuit at <paramref name="now"/>.</summary>
    public static string At(ModelHealthView view, DateTimeOffset now) =>
        view.Circuit == "open" && view.BreakUntil is { } until && until <= now ? "half-open" : view.Circuit;

    private static string Combine(string a, string b) =>
        a == "open" || b == "open" ? "open" : a == "half-open" || b == "half-open" ? "half-open" : "closed";
}
