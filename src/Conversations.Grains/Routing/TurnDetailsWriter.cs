using System.Threading.Channels;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Routing;

/// <summary>
/// Writes routing details of finished turns in batches, off the request path. The money is not here: the turn's
/// usage row (tokens and cost) is written in the same transaction as its assistant message, so a silo crash loses
/// at most the routing annotations of the last flush interval (who served the turn, why, what it saved), never spend.
/// </summary>
internal sealed partial class TurnDetailsWriter(RoutingStore store, IOptions<RoutingOptions> options, ILogger<TurnDetailsWriter> logger) : BackgroundService
{
    /// <summary>Most records written in one statement.</summary>
    public const int MaxBatch = 500;

    private readonly Channel<RoutingTurnRecord> _queue = Channel.CreateBounded<RoutingTurnRecord>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Queues one turn's details.</summary>
    public void Enqueue(RoutingTurnRecord record) => _queue.Writer.TryWrite(record);

    /// <summary>Writes everything queued now (tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var batch = new List<RoutingTurnRecord>();
        while (_queue.Reader.TryRead(out var r))
        {
            batch.Add(r);
            if (batch.Count < MaxBatch) continue;
            await WriteAsync(batch, ct);
            batch.Clear();
        }
        await WriteAsync(batch, ct);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(options.Value.TurnDetailsFlushInterval, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await FlushAsync(CancellationToken.None);
    }

    private async Task WriteAsync(List<RoutingTurnRecord> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        try
        {
            await store.WriteTurnsAsync(batch, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWriteFailed(logger, batch.Count, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write routing details of {Count} turns")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
