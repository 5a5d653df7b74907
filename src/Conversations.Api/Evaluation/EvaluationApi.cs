using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Evaluation;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Evaluation;

/// <summary>A case as the API takes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record EvaluationCaseBody(string? Question, IReadOnlyList<string>? Facts, IReadOnlyList<string>? Sources, string? UserId, string? Role);

/// <summary>A new evaluation set; <see cref="SetId"/> is generated when omitted.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record EvaluationSetBody(string? SetId, string? Name, IReadOnlyList<EvaluationCaseBody>? Cases);

/// <summary>A thumbs-down vote to turn into a case, and what the answer should have had.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record FeedbackCaseBody(string? ConversationId, long? Seq, IReadOnlyList<string>? Facts, IReadOnlyList<string>? Sources, string? Role);

/// <summary>Which catalog model a run asks.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record EvaluationRunBody(string? ModelId);

/// <summary>Tenant admin: evaluation sets, their runs through the chat turn pipeline, and the stored results.</summary>
internal static class EvaluationApi
{
    private const int MaxQuestionChars = 4000;
    private const int MaxFactsPerCase = 20;
    private const int MaxFactChars = 500;

    /// <summary>Maps the routes under <c>/v1/evaluations</c>.</summary>
    public static RouteGroupBuilder MapEvaluationApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/evaluations").WithTags("Evaluation").RequireRoles(Roles.TenantAdmin);
        admin.MapPost("/sets", CreateSet).WithName("CreateEvaluationSet")
            .WithSummary("Stores an evaluation set: questions with the facts the answer must contain, the document ids it must cite, and the user (and role) who asks.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/sets", ListSets).WithName("ListEvaluationSets").WithSummary("The tenant's evaluation sets.");
        admin.MapGet("/sets/{setId}", GetSet).WithName("GetEvaluationSet").WithSummary("One evaluation set with its cases.");
        admin.MapDelete("/sets/{setId}", DeleteSet).WithName("DeleteEvaluationSet").WithSummary("Deletes a set and its runs; not the running canary's set (409).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/sets/{setId}/cases/from-feedback", CaseFromFeedback).WithName("AddEvaluationCaseFromFeedback")
            .WithSummary("Appends a case made from a thumbs-down vote: the voted answer's question (as stored, masked), asked as the voter, with the facts and sources it should have had; "
                + "422 when the question carries images (cases are text only).")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        admin.MapPost("/sets/{setId}/runs", Run).WithName("RunEvaluationSet")
            .WithSummary("Starts a run (202, Location: the run): in the background every case is asked as a chat turn of its user pinned to the model "
                + "(limits, moderation, ACL, budget and ledger apply), scored, and the run completes; poll the run for its status and progress.");
        admin.MapGet("/runs", ListRuns).WithName("ListEvaluationRuns").WithSummary("Runs, newest first, with their status, progress and averages. Filters: setId, limit.");
        admin.MapGet("/runs/{runId}", GetRun).WithName("GetEvaluationRun")
            .WithSummary("One run: status (running, completed, failed, cancelled), progress, and once completed every case's answer and scores.");
        admin.MapPost("/runs/{runId}/cancel", CancelRun).WithName("CancelEvaluationRun")
            .WithSummary("Stops a running run after the case it is asking; 409 when it is not running.").ProducesProblem(StatusCodes.Status409Conflict).RefusesBody();
        return v1;
    }

    private static async Task<Results<Created<EvaluationSet>, ProblemHttpResult>> CreateSet(EvaluationSetBody body, HttpContext http, IEvaluations evaluations,
        ITenantDirectory directory, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        var setId = body.SetId ?? "set_" + Guid.NewGuid().ToString("n")[..16];
        if (!Ids.IsId(setId)) return Problems.BadRequest("setId may use letters, digits, '.', '_', '-' and '@' (1–64 characters).");
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return Problems.BadRequest("name is required (at most 200 characters).");
        if (body.Cases is not { Count: > 0 } cases || cases.Count > EvaluationLimits.MaxCases)
            return Problems.BadRequest($"cases must hold 1 to {EvaluationLimits.MaxCases} cases.");
        var parsed = new List<EvaluationCase>();
        for (var i = 0; i < cases.Count; i++)
        {
            if (Check(cases[i], i) is { } problem) return Problems.BadRequest(problem);
            var c = cases[i];
            parsed.Add(new EvaluationCase(c.Question!.Trim(), [.. (c.Facts ?? []).Select(f => f.Trim())], [.. c.Sources ?? []], c.UserId!, c.Role ?? Roles.User));
        }
        if (await CheckUsersAsync(caller.TenantId, parsed, directory, ct) is { } unknown) return Problems.BadRequest(unknown);
        var set = new EvaluationSet(setId, body.Name.Trim(), parsed, caller.UserId, DateTimeOffset.UtcNow);
        if (!await evaluations.CreateSetAsync(caller, set, ct)) return Problems.Conflict($"An evaluation set '{setId}' already exists.");
        return TypedResults.Created($"/v1/evaluations/sets/{setId}", set);
    }

    // A case is asked, and billed, as its user: that user must be one of the tenant's, and may not be asked with more
    // rights than they have.
    private static async Task<string?> CheckUsersAsync(string tenantId, IReadOnlyList<EvaluationCase> cases, ITenantDirectory directory, CancellationToken ct)
    {
        var users = new Dictionary<string, TenantUser?>(StringComparer.Ordinal);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            if (!users.TryGetValue(c.UserId, out var user)) users[c.UserId] = user = await directory.GetUserAsync(tenantId, c.UserId, ct);
            if (user is null) return $"cases[{i}].userId: there is no user '{c.UserId}' in this tenant.";
            if (c.Role == Roles.TenantAdmin && user.Role != Roles.TenantAdmin)
                return $"cases[{i}].role: user '{c.UserId}' is a {user.Role}, not a {Roles.TenantAdmin}.";
        }
        return null;
    }

    private static string? Check(EvaluationCaseBody? c, int i)
    {
        if (c is null) return $"cases[{i}] must be a case, not null.";
        if (string.IsNullOrWhiteSpace(c.Question) || c.Question.Length > MaxQuestionChars)
            return $"cases[{i}].question is required (at most {MaxQuestionChars} characters).";
        if ((c.Facts?.Count ?? 0) > MaxFactsPerCase || (c.Facts ?? []).Any(f => string.IsNullOrWhiteSpace(f) || f.Length > MaxFactChars))
            return $"cases[{i}].facts: at most {MaxFactsPerCase} non-empty facts of at most {MaxFactChars} characters.";
        if ((c.Sources?.Count ?? 0) > MaxFactsPerCase || (c.Sources ?? []).Any(s => !Ids.IsId(s)))
            return $"cases[{i}].sources: at most {MaxFactsPerCase} document ids.";
        if (!Ids.IsId(c.UserId)) return $"cases[{i}].userId is required: the user the question is asked as (their knowledge access applies).";
        if (c.Role is not (null or Roles.User or Roles.TenantAdmin)) return $"cases[{i}].role must be '{Roles.User}' or '{Roles.TenantAdmin}'.";
        return null;
    }

    private static async Task<Results<Created<EvaluationCase>, ProblemHttpResult>> CaseFromFeedback(string setId, FeedbackCaseBody body, HttpContext http,
        IEvaluations evaluations, CancellationToken ct)
    {
        var tenantId = http.Caller().TenantId!;
        if (!Ids.IsId(body.ConversationId) || body.Seq is not > 0) return Problems.BadRequest("conversationId and seq name the voted answer.");
        if (Check(new EvaluationCaseBody("question", body.Facts, body.Sources, "voter", body.Role), 0) is { } problem)
            return Problems.BadRequest(problem.Replace("cases[0].", "", StringComparison.Ordinal));
        if (await evaluations.GetSetAsync(tenantId, setId, ct) is not { } set) return Problems.AdminNotFound($"Evaluation set '{setId}'");
        if (set.Cases.Count >= EvaluationLimits.MaxCases) return Problems.Conflict($"The set already holds {EvaluationLimits.MaxCases} cases.");
        var (added, reason) = await evaluations.AddCaseFromFeedbackAsync(tenantId, setId, body.ConversationId!, body.Seq.Value,
            [.. (body.Facts ?? []).Select(f => f.Trim())], [.. body.Sources ?? []], body.Role ?? Roles.User, ct);
        return reason switch
        {
            null => TypedResults.Created($"/v1/evaluations/sets/{setId}", added!),
            "not-negative" => Problems.Conflict("That vote is a thumbs up; only negative feedback becomes an evaluation case."),
            "role-above-user" => Problems.BadRequest($"role: the voter is not a {Roles.TenantAdmin}; a case is asked with its user's rights at most.", "role"),
            "no-vote" => Problems.AdminNotFound("A vote on that message"),
            "has-images" => TypedResults.Problem("The voted answer's question carries images, and evaluation cases are text only: images are not supported "
                + "in evaluation cases. Add a case with the question's text yourself if the text alone makes the question.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Images are not supported in evaluation cases", type: "https://httpstatuses.io/422"),
            _ => Problems.Conflict($"The set already holds {EvaluationLimits.MaxCases} cases."),
        };
    }

    private static async Task<Ok<IReadOnlyList<EvaluationSet>>> ListSets(HttpContext http, IEvaluations evaluations, CancellationToken ct) =>
        TypedResults.Ok(await evaluations.ListSetsAsync(http.Caller().TenantId!, ct));

    private static async Task<Results<Ok<EvaluationSet>, ProblemHttpResult>> GetSet(string setId, HttpContext http, IEvaluations evaluations, CancellationToken ct) =>
        await evaluations.GetSetAsync(http.Caller().TenantId!, setId, ct) is { } set ? TypedResults.Ok(set) : Problems.AdminNotFound($"Evaluation set '{setId}'");

    // The running canary's set is its promotion gate: deleting it would leave promote with nothing to decide on.
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSet(string setId, HttpContext http, IEvaluations evaluations, IGrainFactory grains,
        CancellationToken ct)
    {
        var tenantId = http.Caller().TenantId!;
        if ((await grains.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync()).Policy?.Canary is { } canary && canary.EvaluationSetId == setId)
            return Problems.Conflict($"Evaluation set '{setId}' is the promotion gate of the running canary '{canary.CandidateModelId}' (baseline '{canary.BaselineModelId}'); "
                + "promote or roll back the canary, or give it another set, before deleting the set.");
        return await evaluations.DeleteSetAsync(tenantId, setId, ct) ? TypedResults.NoContent() : Problems.AdminNotFound($"Evaluation set '{setId}'");
    }

    private static async Task<Results<Accepted<EvaluationRun>, ProblemHttpResult>> Run(string setId, EvaluationRunBody body, HttpContext http,
        IEvaluations evaluations, IGrainFactory grains, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        if (await evaluations.GetSetAsync(caller.TenantId, setId, ct) is not { } set) return Problems.AdminNotFound($"Evaluation set '{setId}'");
        if (string.IsNullOrWhiteSpace(body.ModelId)) return Problems.BadRequest("modelId is required: a model of the tenant's catalog.");
        var config = await grains.GetGrain<IRoutingConfigGrain>(caller.TenantId).GetAsync();
        if (!config.Models.Any(m => string.Equals(m.Id, body.ModelId, StringComparison.OrdinalIgnoreCase)))
            return Problems.BadRequest($"Model '{body.ModelId}' is not in the tenant's catalog.");
        // Without a routing policy no turn calls a registered model (the platform's own model answers every turn, as on
        // the OpenAI route), so every case would come back "not asked".
        if (config.Policy is null)
            return Problems.Conflict($"Model '{body.ModelId}' is registered, but the tenant has no routing policy yet, so turns do not call registered models: "
                + "set one (PUT /v1/routing/policy, or Models & routing in the console) and start the run again.");
        // The set deleted between reading it and storing the run: there is no set to run.
        if (await evaluations.StartRunAsync(caller, set, body.ModelId, ct) is not { } run) return Problems.AdminNotFound($"Evaluation set '{setId}'");
        return TypedResults.Accepted($"/v1/evaluations/runs/{run.RunId}", run);
    }

    private static async Task<Results<Ok<EvaluationRun>, ProblemHttpResult>> CancelRun(string runId, HttpContext http, IEvaluations evaluations, CancellationToken ct)
    {
        var tenantId = http.Caller().TenantId!;
        if (await evaluations.GetRunAsync(tenantId, runId, ct) is null) return Problems.AdminNotFound($"Evaluation run '{runId}'");
        if (!await evaluations.CancelRunAsync(tenantId, runId, ct)) return Problems.Conflict($"Evaluation run '{runId}' is not running.");
        return TypedResults.Ok((await evaluations.GetRunAsync(tenantId, runId, ct))!);
    }

    private static async Task<Ok<IReadOnlyList<EvaluationRun>>> ListRuns(HttpContext http, IEvaluations evaluations, string? setId, [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct) =>
        TypedResults.Ok(await evaluations.ListRunsAsync(http.Caller().TenantId!, setId, limit ?? 50, ct));

    private static async Task<Results<Ok<EvaluationRun>, ProblemHttpResult>> GetRun(string runId, HttpContext http, IEvaluations evaluations, CancellationToken ct) =>
        await evaluations.GetRunAsync(http.Caller().TenantId!, runId, ct) is { } run ? TypedResults.Ok(run) : Problems.AdminNotFound($"Evaluation run '{runId}'");
}
