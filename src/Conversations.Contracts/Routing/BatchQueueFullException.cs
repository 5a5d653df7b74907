namespace Conversations.Contracts.Routing;

/// <summary>
/// A batch submission found the tenant's queue full: it already holds the platform's limit of unfinished batch jobs, so
/// nothing of this one was stored. The queue is shared by the tenant's users; it frees as jobs finish or are cancelled.
/// </summary>
[GenerateSerializer, Alias("BatchQueueFullException")]
public sealed class BatchQueueFullException : Exception
{
    /// <summary>Creates the exception: the tenant holds <paramref name="unfinished"/> unfinished jobs of <paramref name="limit"/>.</summary>
    public BatchQueueFullException(int unfinished, int limit)
        : base($"The tenant already has {unfinished} unfinished batch jobs, the most it may hold; this one was not queued. "
            + "Wait for a job to finish or cancel one, then submit again, or ask the platform operator to raise Routing__BatchJobsQueuedPerTenant.")
    {
        Unfinished = unfinished;
        Limit = limit;
    }

    /// <summary>Unfinished jobs the tenant holds.</summary>
    [Id(0)] public int Unfinished { get; private set; }
    /// <summary>The per-tenant limit.</summary>
    [Id(1)] public int Limit { get; private set; }
}
