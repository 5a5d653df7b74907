namespace Conversations.TestModel.Hosting;

/// <summary>A host lifetime that ignores console signals, so an in-process server never takes Ctrl+C from its host.</summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
