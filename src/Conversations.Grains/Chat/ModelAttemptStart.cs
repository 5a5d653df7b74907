using System.Diagnostics;

namespace Conversations.Grains.Chat;

/// <summary>One model attempt, started: its stream, its cancellation, its trace span and when it began.</summary>
internal sealed class ModelAttemptStart(
    StartedStream<GuardedUpdate> stream, CancellationTokenSource cancellation, Activity? activity, DateTimeOffset started) : IDisposable
{
    public StartedStream<GuardedUpdate> Stream => stream;
    public Activity? Activity => activity;
    public DateTimeOffset Started => started;

    /// <summary>Stops the call before anything of it was used; returns its first update when one had arrived (it is billed).</summary>
    public async Task<GuardedUpdate?> AbandonAsync()
    {
        await cancellation.CancelAsync();
        var (arrived, first) = await stream.AbandonAsync();
        Dispose();
        return arrived ? first : null;
    }

    public void Dispose()
    {
        activity?.Dispose();
        cancellation.Dispose();
    }
}
