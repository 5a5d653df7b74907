using System.Collections.Concurrent;
using System.Threading.Channels;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Auth;

/// <summary>
/// Records when each key was last used, off the request path: a request only notes the key in memory, at most once a
/// <see cref="Interval"/> per key and host; a background loop writes the noted keys in one statement.
/// </summary>
internal sealed partial class KeyUsageRecorder(IApiKeyLookup keys, TimeProvider time, ILogger<KeyUsageRecorder> logger) : BackgroundService
{
    /// <summary>How often one key's use is written at most (per API host).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int MaxTrackedKeys = 100_000;

    private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly Channel<string> _pending = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Notes a use of <paramref name="keyId"/> now; cheap, never waits.</summary>
    public void Touch(string keyId)
    {
        var now = time.GetUtcNow().UtcTicks;
        if (_written.TryGetValue(keyId, out var last) && now - last < Interval.Ticks) return;
        if (_written.Count >= MaxTrackedKeys) _written.Clear();
        _written[keyId] = now;
        _pending.Writer.TryWrite(keyId);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _pending.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var batch = new HashSet<string>(StringComparer.Ordinal);
                while (batch.Count < 1000 && reader.TryRead(out var keyId)) batch.Add(keyId);
                try { await keys.RecordUseAsync(batch, time.GetUtcNow(), stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // "Last used" is advisory: a lost write is not worth failing or retrying a request for.
                    foreach (var keyId in batch) _written.TryRemove(keyId, out _);
                    LogWriteFailed(logger, batch.Count, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API keys")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
