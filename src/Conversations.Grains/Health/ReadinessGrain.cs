using Conversations.Contracts.Health;
using Orleans.Concurrency;

namespace Conversations.Grains.Health;

/// <summary>Answers the API's readiness check from whichever silo takes the call; touches nothing else.</summary>
[StatelessWorker]
internal sealed class ReadinessGrain : Grain, IReadinessGrain
{
    /// <inheritdoc />
    public Task<string> PingAsync() => Task.FromResult(RuntimeIdentity);
}
