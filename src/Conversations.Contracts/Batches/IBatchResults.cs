using Conversations.Contracts.Chat;
using Conversations.Contracts.Routing;

namespace Conversations.Contracts.Batches;

/// <summary>One prompt of a batch as its submitter sees it: the prompt as stored after its input check (null while pending).</summary>
public sealed record BatchItemResult(
    int Index, string? Prompt, string Status, string? Answer, string? Error, int PromptTokens, int CachedTokens, int CompletionTokens, decimal CostUsd);

/// <summary>A batch with a page of its items in prompt order.</summary>
public sealed record BatchResultPage(BatchJobView Job, IReadOnlyList<BatchItemResult> Items);

/// <summary>A page of batch jobs, newest first; <see cref="Next"/> (the last job's id) fetches the next page, null on the last.</summary>
public sealed record BatchJobList(IReadOnlyList<BatchJobView> Jobs, string? Next);

/// <summary>Reads offline batches for the API: a batch is visible to the user who submitted it and to the tenant's admins.</summary>
public interface IBatchResults
{
    /// <summary>The batch, or null when there is none or <paramref name="caller"/> may not see it.</summary>
    Task<BatchJobView?> FindAsync(Caller caller, string jobId);

    /// <summary>The batch and its items after <paramref name="afterIndex"/>, or null when <see cref="FindAsync"/> would be.</summary>
    Task<BatchResultPage?> ResultsAsync(Caller caller, string jobId, int afterIndex, int limit, CancellationToken ct);

    /// <summary>
    /// The batches <paramref name="caller"/> may see (a user their own, a tenant admin all of the tenant's), newest first,
    /// after the job <paramref name="afterJobId"/> of that list; null when that job is not in it.
    /// </summary>
    Task<BatchJobList?> ListAsync(Caller caller, string? afterJobId, int limit, CancellationToken ct);

    /// <summary>Cancels the job if the caller may see it (as <see cref="FindAsync"/>); null otherwise.</summary>
    Task<BatchJobView?> CancelAsync(Caller caller, string jobId);
}
