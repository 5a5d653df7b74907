namespace Conversations.Contracts.Health;

/// <summary>The cheapest call the cluster can answer: no state, no storage, no directory entry (a stateless worker).</summary>
[Alias("readiness")]
public interface IReadinessGrain : IGrainWithIntegerKey
{
    /// <summary>The silo that answered.</summary>
    [Alias("ping")]
    Task<string> PingAsync();
}
