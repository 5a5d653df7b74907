using Conversations.Contracts.Routing;
using Conversations.Grains.Health;

namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>
/// How long the endpoint's shared circuit speaks for a tenant: once the tenant's own last call failed, and for one break
/// after that failure only. Tenants that keep the shared circuit open (failing on purpose) cannot hold another tenant
/// off an endpoint for longer than that: its next call goes ahead and decides by its own outcome.
/// </summary>
public sealed class SharedCircuitHoldTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(15);

    private static ModelHealthView View(string circuit, int consecutiveFailures, DateTimeOffset? lastFailureAt) =>
        new(circuit, 10, consecutiveFailures, 0.1, 0, 0, null, null, consecutiveFailures, circuit == "open" ? Now.AddSeconds(10) : null, 0, null, Now)
        {
            LastFailureAt = lastFailureAt,
        };

    private static EndpointHealth Health(ModelHealthView credential) =>
        new("t/health-x", credential, "_platform/health-x", View("open", 5, Now.AddSeconds(-1)), Break);

    [Fact(DisplayName = "An open shared circuit holds a tenant back only for one break after the tenant's own last failure, never without one")]
    public void Shared_circuit_holds_for_one_break_after_the_tenants_own_failure()
    {
        // Other tenants' failures alone: the tenant's calls go ahead.
        Assert.False(Health(View("closed", 0, null)).SharedApplies);
        Assert.Equal("closed", Health(View("closed", 0, null)).Circuit);
        // Its own call failed a moment ago in the same outage: the shared break spares it the rest.
        var justFailed = Health(View("closed", 1, Now.AddSeconds(-3)));
        Assert.True(justFailed.SharedApplies);
        Assert.Equal("open", justFailed.Circuit);
        // A break later, with the shared circuit still held open by others: its next call goes ahead on its own.
        var longAgo = Health(View("closed", 1, Now - Break - TimeSpan.FromSeconds(1)));
        Assert.False(longAgo.SharedApplies);
        Assert.Equal("closed", longAgo.Circuit);
        // Its own circuit is its own: open stays open whatever the shared one says.
        Assert.Equal("open", Health(View("open", 3, Now - Break - TimeSpan.FromSeconds(1))).Circuit);
    }
}
