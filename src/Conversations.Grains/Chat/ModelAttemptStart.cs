using System.Diagnostics;

namespace Conversations.Grains.Chat;

/// <summary>One model attempt, started: its stream, its cancellation, its trace span and when it began.</summary>
internal sealed class ModelAttemptStart(
    StartedStream<GuardedUpdate> stream, CancellationTokenSource cancellation, Activity? activity, DateTimeOffset started) : IDisposable
{
    public StartedStream<GuardedUpdate> Stream => stream;
    public Activity? Activity => activity;
    public DateTimeOffset Started => started;

    /// <summary>Stops the call before anything of it was used.</summary>
    public async Task AbandonAsync()
    {
        await cancellation.CancelAsync();
        await stream.AbandonAsync();
        Dispose();
    }

    public void Dispose()
    {
        activity?.Dispose();
        cancellation.Dispose();
    }
}
