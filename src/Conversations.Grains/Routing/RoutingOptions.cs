using Conversations.Routing.Health;


namespace Conversations.Grains.Routing;

/// <summary>Configuration section <c>Routing</c>: silo-side caches, breaker settings, ledger and batch pacing.</summary>
internal sealed class RoutingOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Routing";

    /// <summary>How long a silo decides from a cached policy before reading it again (bounds how late an edit applies).</summary>
    public TimeSpan ConfigCacheTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a silo trusts a cached health snapshot of an endpoint (reports from this silo update it at once).</summary>
    public TimeSpan HealthCacheTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a silo trusts a tenant's knowledge-base fingerprint for answer-cache keys.</summary>
    public TimeSpan KnowledgeVersionCacheTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures in a row that open a circuit.</summary>
    public int ConsecutiveFailureThreshold { get; set; } = 3;

    /// <summary>Failure share in the sampling window that opens a circuit once <see cref="MinimumThroughput"/> calls were seen.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the failure ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>Window of the failure ratio.</summary>
    public TimeSpan SamplingDuration { get; set; } = ModelHealthOptions.DefaultSamplingDuration;

    /// <summary>How long an open circuit refuses calls before one probe may go through.</summary>
    public TimeSpan BreakDuration { get; set; } = ModelHealthOptions.DefaultBreakDuration;

    /// <summary>
    /// Distinct tenants whose calls must fail (transport, 5xx, timeouts, stalls) before the circuit all tenants share
    /// opens, however many keys each uses; one tenant's own circuit opens on its own failures alone.
    /// </summary>
    public int SharedCircuitMinTenants { get; set; } = 2;

    /// <summary>A probe that never reports frees its slot after this long.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often routing details of finished turns are written (batched, off the request path).</summary>
    public TimeSpan TurnDetailsFlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Pause between two items of an offline batch (low priority: one call at a time per job).</summary>
    public TimeSpan BatchItemInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Offline batch jobs of one tenant that run at once (each one prompt at a time); the tenant's other unfinished jobs
    /// wait for a slot, first come first served, and say so (<c>waitingFor: "queue"</c>).
    /// </summary>
    public int BatchJobsRunningPerTenant { get; set; } = 4;

    /// <summary>Unfinished batch jobs (running or waiting) a tenant may hold; a submission beyond them is refused (429 <c>batch_queue_full</c>).</summary>
    public int BatchJobsQueuedPerTenant { get; set; } = 100;

    /// <summary>
    /// Share of the user's and the tenant's tokens a minute that offline batches leave to interactive turns: a batch
    /// item starts only while both token buckets hold at least this share of their limit (0 to 1).
    /// </summary>
    public double BatchTokenHeadroom { get; set; } = 0.5;

    /// <summary>Reservations older than this are presumed lost (their turn crashed) and released.</summary>
    public TimeSpan ReservationTimeToLive { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The breaker settings as the health tracker takes them, for a shared circuit or a single credential's.</summary>
    public ModelHealthOptions HealthOptions(bool shared = false) => new()
    {
        MinFailingCredentials = shared ? SharedCircuitMinTenants : 1,
        ConsecutiveFailureThreshold = ConsecutiveFailureThreshold,
        FailureRatio = FailureRatio,
        MinimumThroughput = MinimumThroughput,
        SamplingDuration = SamplingDuration,
        BreakDuration = BreakDuration,
        ProbeTimeout = ProbeTimeout,
    };
}
