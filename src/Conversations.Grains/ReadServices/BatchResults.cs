using Conversations.Contracts;
using Conversations.Contracts.Batches;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Routing;
using Conversations.Storage.Routing;

namespace Conversations.Grains.ReadServices;

/// <summary>Batches from their grain, their items from the batch table; only the submitter and the tenant's admins see a batch.</summary>
internal sealed class BatchResults(IGrainFactory grains, BatchStore store) : IBatchResults
{
    /// <inheritdoc />
    public async Task<BatchJobView?> FindAsync(Caller caller, string jobId)
    {
        var view = await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId, jobId)).GetAsync();
        return view is not null && (caller.Role == Roles.TenantAdmin || view.UserId == caller.UserId) ? view : null;
    }

    /// <inheritdoc />
    public async Task<BatchJobList?> ListAsync(Caller caller, string? afterJobId, int limit, CancellationToken ct)
    {
        var owner = caller.Role == Roles.TenantAdmin ? null : caller.UserId;
        // One more than the page: whether there is a next page is known without an empty last one.
        if (await store.ListJobIdsAsync(caller.TenantId, owner, afterJobId, limit + 1, ct) is not { } ids) return null;
        var page = ids.Take(limit).ToList();
        // Status and counts from each job's grain, as GET /v1/batches/{jobId} gives them; a job erased meanwhile is left out.
        var views = await Task.WhenAll(page.Select(id => grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId, id)).GetAsync()));
        return new BatchJobList(views.OfType<BatchJobView>().ToList(), ids.Count > limit ? page[^1] : null);
    }

    /// <inheritdoc />
    public async Task<BatchJobView?> CancelAsync(Caller caller, string jobId) =>
        await FindAsync(caller, jobId) is null ? null : await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId, jobId)).CancelAsync();

    /// <inheritdoc />
    public async Task<BatchResultPage?> ResultsAsync(Caller caller, string jobId, int afterIndex, int limit, CancellationToken ct)
    {
        if (await FindAsync(caller, jobId) is not { } job) return null;
        var items = await store.ItemsAsync(caller.TenantId, jobId, afterIndex, limit, ct);
        // A pending prompt is shown only once the input check has replaced it with its stored (masked) form.
        return new BatchResultPage(job, items.Select(i => new BatchItemResult(i.Index, i.Status == "pending" ? null : i.Prompt, i.Status,
            i.Answer, i.Error, i.PromptTokens, i.CachedTokens, i.CompletionTokens, i.CostUsd)).ToList());
    }
}
