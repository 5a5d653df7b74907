using Conversations.Contracts.Routing;
using Conversations.Routing.Health;

namespace Conversations.Grains.Health;

/// <summary>
/// What one tenant's calls to one registered model depend on: its own credential's circuit and the endpoint's shared
/// circuit. Either one open keeps the model out of the tenant's turns, the shared one only once the tenant's own last
/// call failed too (see <see cref="SharedApplies"/>).
/// </summary>
/// <param name="CredentialKey">The grain key of the tenant's credential on the endpoint.</param>
/// <param name="Credential">The tenant's own figures and circuit.</param>
/// <param name="SharedKey">The grain key of the endpoint's shared circuit.</param>
/// <param name="Shared">The endpoint's shared circuit (its counts include other tenants: never shown to a tenant).</param>
/// <param name="SharedHold">How long after the tenant's own last failure the shared circuit speaks for it (one break).</param>
internal sealed record EndpointHealth(string CredentialKey, ModelHealthView Credential, string SharedKey, ModelHealthView Shared, TimeSpan SharedHold)
{
    /// <summary>
    /// Reads both circuits <paramref name="tenantId"/>'s calls to <paramref name="model"/> depend on (its credential's
    /// and the endpoint's shared one) through <paramref name="read"/>: the router's cache, or the grains themselves.
    /// </summary>
    public static async ValueTask<EndpointHealth> ReadAsync(string tenantId, ModelRegistration model, Func<string, ValueTask<ModelHealthView>> read, TimeSpan sharedHold)
    {
        var (credentialKey, sharedKey) = (HealthKeys.ForCredential(tenantId, model), HealthKeys.For(model));
        return new EndpointHealth(credentialKey, await read(credentialKey), sharedKey, await read(sharedKey), sharedHold);
    }

    /// <summary>
    /// Whether the shared circuit speaks for this tenant: only once its own last call failed as well. Other tenants'
    /// failures alone (which tenants can cause with requests of their own making, a 500 on a crafted prompt) never take
    /// a working model away from a tenant; in a real outage each tenant pays one failed call, and the shared break spares
    /// it the rest while its own circuit has not opened yet. For one break after that failure only: tenants who keep the
    /// shared circuit open (failing on purpose, probes included) cannot hold a tenant off an endpoint that works for it;
    /// past the break its next call goes ahead, and succeeds or fails on its own.
    /// </summary>
    public bool SharedApplies => Credential.ConsecutiveFailures > 0
        && (Credential.LastFailureAt is not { } failedAt || Credential.ObservedAt - failedAt < SharedHold);

    /// <summary>The circuit the router acts on, as observed: open if either is, else half-open if either is, else closed.</summary>
    public CircuitState State => Combine(CircuitNames.Parse(Credential.Circuit), SharedApplies ? CircuitNames.Parse(Shared.Circuit) : CircuitState.Closed);

    /// <summary>The wire name of <see cref="State"/> ("closed", "open" or "half-open").</summary>
    public string Circuit => CircuitNames.Of(State);

    /// <summary><see cref="State"/> at <paramref name="now"/>: an open circuit whose break has ended reads half-open.</summary>
    public CircuitState StateAt(DateTimeOffset now) => Combine(StateAt(Credential, now), SharedApplies ? StateAt(Shared, now) : CircuitState.Closed);

    /// <summary>The grain keys whose circuits are half-open at <paramref name="now"/> (a probe must be taken from each).</summary>
    public IEnumerable<string> HalfOpenKeysAt(DateTimeOffset now)
    {
        if (StateAt(Credential, now) == CircuitState.HalfOpen) yield return CredentialKey;
        if (SharedApplies && StateAt(Shared, now) == CircuitState.HalfOpen) yield return SharedKey;
    }

    /// <summary>A view's circuit at <paramref name="now"/>.</summary>
    public static CircuitState StateAt(ModelHealthView view, DateTimeOffset now) => CircuitNames.Parse(view.Circuit) switch
    {
        CircuitState.Open when view.BreakUntil is { } until && until <= now => CircuitState.HalfOpen,
        var state => state,
    };

    private static CircuitState Combine(CircuitState a, CircuitState b) =>
        a == CircuitState.Open || b == CircuitState.Open ? CircuitState.Open
        : a == CircuitState.HalfOpen || b == CircuitState.HalfOpen ? CircuitState.HalfOpen
        : CircuitState.Closed;
}
