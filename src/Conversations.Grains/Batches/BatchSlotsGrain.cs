using Conversations.Contracts.Routing;
using Conversations.Grains.Routing;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Batches;

/// <summary>
/// The running slots of one tenant's offline batch jobs: one tenant's many jobs neither run the shared database and
/// model pool for everyone nor starve each other; beyond the slots they wait first come, first served. In memory only
/// (see <see cref="IBatchSlotsGrain"/>): every unfinished job asks again within seconds, or within a minute of its silo's
/// loss by its resume reminder, so the state rebuilds itself.
/// </summary>
internal sealed class BatchSlotsGrain(IOptions<RoutingOptions> options, TimeProvider time) : Grain, IBatchSlotsGrain
{
    // A running job asks before each prompt; one prompt (a model call tried up to four times, or a moderation wait of up
    // to 5 minutes) can take several minutes, so its slot lasts well beyond that without a word from it.
    private static readonly TimeSpan RunningLease = TimeSpan.FromMinutes(15);
    // A waiting job asks every few seconds: one silent for a minute is gone (erased with its tenant or user, or stopped).
    private static readonly TimeSpan WaitingLease = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, DateTimeOffset> _running = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, DateTimeOffset> _waiting = new(StringComparer.Ordinal); // first come first

    /// <inheritdoc />
    public Task<bool> TryRunAsync(string jobId)
    {
        var now = time.GetUtcNow();
        Expire(_running, now - RunningLease);
        Expire(_waiting, now - WaitingLease);
        if (_running.ContainsKey(jobId))
        {
            _running[jobId] = now;
            return Task.FromResult(true);
        }
        _waiting[jobId] = now;
        // The free slots go to the jobs that have waited longest: this one runs if it is among them.
        var free = options.Value.BatchJobsRunningPerTenant - _running.Count;
        if (free <= 0 || _waiting.IndexOf(jobId) >= free) return Task.FromResult(false);
        _waiting.Remove(jobId);
        _running[jobId] = now;
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task LeaveAsync(string jobId)
    {
        _running.Remove(jobId);
        _waiting.Remove(jobId);
        return Task.CompletedTask;
    }

    private static void Expire(IDictionary<string, DateTimeOffset> jobs, DateTimeOffset silentSince)
    {
        foreach (var (job, lastAsked) in jobs.ToList())
            if (lastAsked < silentSince) jobs.Remove(job);
    }
}
