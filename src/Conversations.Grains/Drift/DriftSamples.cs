using System.Threading.Channels;
using Conversations.Contracts.Drift;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Drift;

/// <summary>
/// The silo's finished turns on their way to their tenants' drift sketches: queued, and every <see cref="FlushInterval"/>
/// sent as one one-way call per tenant instead of one per turn. The sketch is a statistic: a silo that crashes loses
/// at most the last interval's samples (as the sketch itself may lose its unsaved ones), never a turn; a silo that
/// stops sends what is queued before its grains go.
/// </summary>
internal sealed partial class DriftSamples(IGrainFactory grains, ILogger<DriftSamples> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a sample waits for others before its batch is sent.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Most samples in one call.</summary>
    public const int MaxBatch = 256;

    // Bounded: samples that cannot be sent (no silo yet, a stuck sketch) are dropped oldest first, never block a turn.
    private readonly Channel<(string TenantId, DriftSample Sample)> _queue = Channel.CreateBounded<(string, DriftSample)>(
        new BoundedChannelOptions(50_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task _sending = Task.CompletedTask;

    /// <summary>Queues one turn's sample for <paramref name="tenantId"/>'s sketch.</summary>
    public void Add(string tenantId, DriftSample sample) => _queue.Writer.TryWrite((tenantId, sample));

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DriftSamples), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>Sends every queued sample now (shutdown, and tests).</summary>
    public void Send()
    {
        var byTenant = new Dictionary<string, List<DriftSample>>();
        while (_queue.Reader.TryRead(out var item))
        {
            if (!byTenant.TryGetValue(item.TenantId, out var samples)) byTenant[item.TenantId] = samples = [];
            samples.Add(item.Sample);
            if (samples.Count < MaxBatch) continue;
            Post(item.TenantId, samples);
            byTenant.Remove(item.TenantId);
        }
        foreach (var (tenantId, samples) in byTenant) Post(tenantId, samples);
    }

    private Task StartAsync(CancellationToken ct)
    {
        _sending = Task.Run(SendLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _sending;
        Send();
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                await Task.Delay(FlushInterval, _stopping.Token);
                Send();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void Post(string tenantId, List<DriftSample> samples)
    {
        try
        {
            _ = grains.GetGrain<IDriftGrain>(tenantId).RecordManyAsync(samples);
        }
        catch (Exception e)
        {
            LogLost(logger, samples.Count, tenantId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} drift samples of {TenantId} were not sent")]
    private static partial void LogLost(ILogger logger, int count, string tenantId, Exception e);
}
