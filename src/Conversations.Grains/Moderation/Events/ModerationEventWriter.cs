using System.Threading.Channels;
using Conversations.Storage.Moderation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Moderation.Events;

/// <summary>
/// Writes moderation events in batches from one background loop. <see cref="RecordAsync"/> completes only when the
/// event is in the database, so a caller that waits for it never acknowledges an event that could still be lost;
/// failed batches are retried (each event is stored once), and the queue is drained when the host stops.
/// </summary>
internal sealed partial class ModerationEventWriter(
    ModerationEventStore store, IOptions<ModerationOptions> options, ILogger<ModerationEventWriter> logger) : IHostedService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;

    /// <summary>Queues an event; the task completes once it is stored.</summary>
    public Task RecordAsync(ModerationEventRecord record)
    {
        var pending = new Pending(record, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("The moderation event writer has stopped.");
        EnsureStarted(); // lazily too, for hosts that do not run hosted services (test clusters)
        return pending.Written.Task;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is not null) await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // One loop only: the channel has a single reader.
    private void EnsureStarted()
    {
        if (_loop is not null) return;
        lock (_queue)
            _loop ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(options.Value.EventBatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < options.Value.EventBatchSize && _queue.Reader.TryRead(out var next)) batch.Add(next);
            var delay = TimeSpan.FromMilliseconds(250);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await store.WriteAsync(batch.Select(p => p.Record).ToList());
                    break;
                }
                catch (Exception e)
                {
                    // Keep the events and try again: the database may be restarting or failing over.
                    LogWriteFailed(logger, batch.Count, attempt, e.Message);
                    await Task.Delay(delay);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }
            foreach (var p in batch) p.Written.TrySetResult();
            batch.Clear();
        }
    }

    private sealed record Pending(ModerationEventRecord Record, TaskCompletionSource Written);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} moderation events failed (attempt {Attempt}): {Error}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, string error);
}
