namespace Conversations.Contracts.Routing;

/// <summary>
/// Which of a tenant's offline batch jobs may run now, key <c>{tenant}</c>: at most the platform's number of jobs a
/// tenant runs at once hold a slot; the others wait in the order they first asked. A job asks before each prompt and
/// gives its slot back when it ends. Kept in memory: a job that stops asking (its silo went down and it was not
/// brought back) loses its place after a while, and after this grain's own loss the jobs take places again as they ask.
/// </summary>
[Alias("batch-slots")]
public interface IBatchSlotsGrain : IGrainWithStringKey
{
    /// <summary>True when <paramref name="jobId"/> holds a slot (kept, or taken now); false while it waits its turn.</summary>
    [Alias("try-run")]
    Task<bool> TryRunAsync(string jobId);

    /// <summary>The job is done (completed, cancelled or erased): its slot or its place in the wait goes to the next job.</summary>
    [Alias("leave")]
    Task LeaveAsync(string jobId);
}
