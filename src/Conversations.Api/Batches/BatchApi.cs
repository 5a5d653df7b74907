using System.ComponentModel.DataAnnotations;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Moderation;
using Conversations.Contracts;
using Conversations.Contracts.Batches;
using Conversations.Contracts.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Batches;

/// <summary>Offline batches: submit many prompts, fetch the answers later, billed at the model's batch rate.</summary>
internal static class BatchApi
{
    /// <summary>Default answer cap per prompt.</summary>
    public const int DefaultMaxOutputTokens = 512;

    /// <summary>Maps the routes under <c>/v1/batches</c>.</summary>
    public static RouteGroupBuilder MapBatchApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/batches").WithTags("Offline batches").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapPost("/", Submit).WithName("SubmitBatch").WithSummary("Queues prompts for low-priority processing; answers are fetched later.")
            .Produces<BatchJobView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithDescription("A 429 with code budget_exhausted when the tenant's monthly budget is closed.");
        group.MapGet("/", List).WithName("ListBatches")
            .WithSummary("The caller's batches newest first (a tenant admin's: all of the tenant's), each with its progress and cost; page with ?after= (the next cursor) and ?limit= (1 to 100, default 20).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{jobId}", Get).WithName("GetBatch").WithSummary("A batch's progress and cost so far.");
        group.MapPost("/{jobId}/cancel", Cancel).WithName("CancelBatch")
            .WithSummary("Stops a batch: the prompt being answered ends cancelled, billed for what its model call consumed; prompts not yet run end failed as cancelled, unbilled; answered ones stay. A finished batch is returned as it is.").RefusesBody();
        group.MapGet("/{jobId}/results", Results).WithName("GetBatchResults").WithSummary("Answers of a batch, in prompt order (page with ?after=).");
        // A submission is one request against the caller's request limits; each item's tokens are charged as it is answered.
        group.CheckBodies<BatchBody>(CheckSubmission).RequireRateLimit<BatchBody>(b => b.Prompts!.FirstOrDefault() ?? "");
        return v1;
    }

    // The group's filters have checked the submission and admitted it against the rate limits.
    private static async Task<IResult> Submit(BatchBody body, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        // A closed budget refuses the batch now, as chat and the OpenAI route refuse a question, instead of queueing it
        // until the budget is raised or the month ends. A budget that closes mid-job makes the job wait (waitingFor).
        if (await grains.GetGrain<IBudgetGrain>(caller.TenantId).GetAsync() is { BudgetUsd: { } limit, Exhausted: true } budget)
            return Problems.BudgetExhausted(budget.SpentUsd, limit);
        var jobId = "b_" + Guid.NewGuid().ToString("n")[..20];
        var view = await grains.GetGrain<IBatchJobGrain>(GrainKeys.Scoped(caller.TenantId, jobId))
            .StartAsync(new BatchJobSpec(caller.UserId, body.ModelId!, body.Prompts!, body.MaxOutputTokens ?? DefaultMaxOutputTokens, caller.Role));
        return TypedResults.Accepted($"/v1/batches/{jobId}", view);
    }

    private static async Task<Results<Ok<BatchJobList>, ProblemHttpResult>> List(
        HttpContext http, IBatchResults batches, string? after, [Range(1, 100, ErrorMessage = "limit must be between 1 and 100.")] int? limit, CancellationToken ct)
    {
        // The cursor is a job id of the caller's own list; any other (another user's or tenant's job) is refused.
        if ((after is null || Ids.IsId(after)) && await batches.ListAsync(http.Caller().ToCaller(), after, limit ?? 20, ct) is { } page)
            return TypedResults.Ok(page);
        return Problems.BadRequest("after must be the next cursor of a previous page of this list.", "after");
    }

    private static async Task<Results<Ok<BatchJobView>, ProblemHttpResult>> Get(string jobId, HttpContext http, IBatchResults batches) =>
        Ids.IsId(jobId) && await batches.FindAsync(http.Caller().ToCaller(), jobId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("The batch");

    private static async Task<Results<Ok<BatchJobView>, ProblemHttpResult>> Cancel(string jobId, HttpContext http, IBatchResults batches) =>
        Ids.IsId(jobId) && await batches.CancelAsync(http.Caller().ToCaller(), jobId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("The batch");

    private static async Task<Results<Ok<BatchResultsDto>, ProblemHttpResult>> Results(
        string jobId, HttpContext http, IBatchResults batches, int? after, [Range(1, 500, ErrorMessage = "limit must be between 1 and 500.")] int? limit, CancellationToken ct)
    {
        var take = limit ?? 100;
        if (!Ids.IsId(jobId) || await batches.ResultsAsync(http.Caller().ToCaller(), jobId, after ?? -1, take, ct) is not { } page)
            return Problems.NotFound("The batch");
        return TypedResults.Ok(new BatchResultsDto(page.Job,
            page.Items.Select(i => new BatchItemDto(i.Index, i.Prompt, i.Status, i.Answer, i.Error, i.PromptTokens, i.CachedTokens,
                i.CompletionTokens, i.CostUsd)).ToList(),
            page.Items.Count == take ? page.Items[^1].Index : null));
    }

    private static IResult? CheckSubmission(BatchBody body, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(body.ModelId)) return Problems.BadRequest("modelId is required: a model of the tenant's catalog.");
        if (body.Prompts is null) return Problems.BadRequest("prompts is required: a list of prompt texts.");
        return BatchJobSpec.ShapeProblem(body.Prompts, body.MaxOutputTokens ?? DefaultMaxOutputTokens) is { } problem
            ? Problems.BadRequest(problem.Detail, problem.Field)
            : null;
    }
}
