using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Moderation;
using Conversations.Contracts;
using Conversations.Contracts.Routing;
using Conversations.Storage.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Conversations.Api.Routing;

/// <summary>Offline batches (seed 2.1.2): submit many prompts, fetch the answers later, billed at the model's batch rate.</summary>
public static class BatchApi
{
    /// <summary>Default answer cap per prompt.</summary>
    public const int DefaultMaxOutputTokens = 512;

    /// <summary>Maps the routes under <c>/v1/batches</c>.</summary>
    public static RouteGroupBuilder MapBatchApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/batches").WithTags("Offline batches").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/", Submit).WithName("SubmitBatch").WithSummary("Queues prompts for low-priority processing; answers are fetched later.")
            .Produces<BatchJobView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/{jobId}", Get).WithName("GetBatch").WithSummary("A batch's progress and cost so far.");
        group.MapGet("/{jobId}/results", Results).WithName("GetBatchResults").WithSummary("Answers of a batch, in prompt order (page with ?after=).");
        return v1;
    }

    // A submission is one request against the caller's request limits; each item's tokens are charged as it is answered.
    private static async Task<IResult> Submit(BatchBody body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        if (string.IsNullOrWhiteSpace(body.ModelId)) return Problems.BadRequest("modelId is required: a model of the tenant's catalog.");
        if (body.Prompts is null) return Problems.BadRequest("prompts is required: a list of prompt texts.");
        if (await RateLimitGate.CheckAsync(grains, caller, body.Prompts.FirstOrDefault() ?? "") is { } limited) return limited;
        var jobId = "b_" + Guid.NewGuid().ToString("n")[..20];
        var view = await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId, jobId))
            .StartAsync(new BatchJobSpec(caller.UserId, body.ModelId, body.Prompts, body.MaxOutputTokens ?? DefaultMaxOutputTokens, caller.Role));
        return TypedResults.Accepted($"/v1/batches/{jobId}", view);
    }

    private static async Task<Results<Ok<BatchJobView>, ProblemHttpResult>> Get(string jobId, HttpContext http, IGrainFactory grains) =>
        await FindAsync(jobId, http, grains) is { } view ? TypedResults.Ok(view) : Problems.NotFound("The batch");

    private static async Task<Results<Ok<BatchResultsDto>, ProblemHttpResult>> Results(
        string jobId, HttpContext http, IGrainFactory grains, NpgsqlDataSource db, int? after, int? limit, CancellationToken ct)
    {
        if (await FindAsync(jobId, http, grains) is not { } view) return Problems.NotFound("The batch");
        var take = Math.Clamp(limit ?? 100, 1, 500);
        var items = await new BatchStore(db).ItemsAsync(http.Caller().TenantId!, jobId, after ?? -1, take, ct);
        return TypedResults.Ok(new BatchResultsDto(view,
            // A pending prompt is shown only once the input check has replaced it with its stored (masked) form.
            items.Select(i => new BatchItemDto(i.Index, i.Status == "pending" ? null : i.Prompt, i.Status, i.Answer, i.Error,
                i.PromptTokens, i.CachedTokens, i.CompletionTokens, i.CostUsd)).ToList(),
            items.Count == take ? items[^1].Index : null));
    }

    // A batch is visible to the user who submitted it and to the tenant's admins.
    private static async Task<BatchJobView?> FindAsync(string jobId, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller();
        if (!Ids.IsId(jobId)) return null;
        var view = await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId!, jobId)).GetAsync();
        return view is not null && (caller.IsTenantAdmin || view.UserId == caller.UserId) ? view : null;
    }
}
