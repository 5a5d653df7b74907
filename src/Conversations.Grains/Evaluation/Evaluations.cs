using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Evaluation;
using Conversations.Contracts.Moderation;
using Conversations.Contracts.Routing;
using Conversations.Prompting.History;
using Conversations.Storage.Audit;
using Conversations.Storage.Evaluation;
using Conversations.Storage.Tenancy;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Evaluation;

/// <summary>
/// Evaluation sets and runs. A run asks every case as a real chat turn of the case's user (a conversation of its own,
/// pinned to the model, deleted afterwards): the same rate limits, moderation, knowledge ACL, budget and usage ledger as
/// chat. Cases run one after the other so a run never takes more than one turn's share of the tenant's limits.
/// A manual run is a job in the background of the host that started it, writing its progress and a heartbeat to its
/// row; one whose host stops reads as failed. The promotion gate's runs are asked within their request.
/// </summary>
internal sealed partial class Evaluations(IGrainFactory grains, EvaluationStore store, AuditStore audit, TenancyStore users, IAnswerScorer scorer, TimeProvider time,
    ILogger<Evaluations> logger) : IEvaluations
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    // Gate runs this recent are compared again rather than asked again, when the caller asks for that.
    private static readonly TimeSpan GateReuseWindow = TimeSpan.FromMinutes(15);
    // The two runs of one gate are stored one after the other.
    private static readonly TimeSpan GatePairSpan = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public async Task<bool> CreateSetAsync(Caller admin, EvaluationSet set, CancellationToken ct) =>
        await store.InsertSetAsync(admin.TenantId, set.SetId, set.Name, JsonSerializer.Serialize(set.Cases, Json), admin.UserId,
            await AuditEntryAsync(admin.TenantId, null, new JsonObject { ["setId"] = set.SetId, ["name"] = set.Name, ["cases"] = set.Cases.Count }, ct), ct);

    // An admin request's change to the sets and runs writes its audit entry in the change's transaction (cases and
    // answers by count, never their text).
    private async Task<AuditWrite?> AuditEntryAsync(string tenantId, JsonNode? before, JsonNode? after, CancellationToken ct) =>
        AuditedRequest.Current is { } request && request.Covers(tenantId) ? await audit.ChangeEntryAsync(request, tenantId, before, after, ct) : null;

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvaluationSet>> ListSetsAsync(string tenantId, CancellationToken ct) =>
        (await store.ListSetsAsync(tenantId, ct)).Select(ToSet).ToList();

    /// <inheritdoc />
    public async Task<EvaluationSet?> GetSetAsync(string tenantId, string setId, CancellationToken ct) =>
        await store.GetSetAsync(tenantId, setId, ct) is { } r ? ToSet(r) : null;

    /// <inheritdoc />
    public async Task<bool> DeleteSetAsync(string tenantId, string setId, CancellationToken ct) =>
        await store.DeleteSetAsync(tenantId, setId, await AuditEntryAsync(tenantId, new JsonObject { ["setId"] = setId }, null, ct), ct);

    /// <inheritdoc />
    public async Task<EvaluationRun?> StartRunAsync(Caller admin, EvaluationSet set, string modelId, CancellationToken ct)
    {
        var run = new EvaluationRun(NewRunId(), set.SetId, modelId, "manual", null, [], admin.UserId, time.GetUtcNow(), EvaluationRunStatus.Running,
            new EvaluationProgress(0, set.Cases.Count));
        var stored = await store.InsertRunAsync(admin.TenantId, new EvaluationRunRecord(run.RunId, run.SetId, run.ModelId, run.Purpose, null, "[]",
            run.CreatedBy, run.CreatedAt, run.Status, 0, set.Cases.Count), set.CreatedAt,
            await AuditEntryAsync(admin.TenantId, null, new JsonObject
            {
                ["runId"] = run.RunId, ["setId"] = run.SetId, ["modelId"] = run.ModelId, ["purpose"] = run.Purpose, ["cases"] = set.Cases.Count,
            }, ct), ct);
        if (!stored) return null;
        // Off the request, and never with its token (the server hands it on to the connection's next request): the run
        // goes on when its client disconnects or the request ends.
        _ = Task.Run(() => RunInBackgroundAsync(admin.TenantId, set, run), CancellationToken.None);
        return run;
    }

    private static string NewRunId() => "run_" + Guid.NewGuid().ToString("n")[..20];

    // The run ends (its row left as it is) as soon as its row is no longer running: the set or the tenant was deleted
    // (rows gone), it was cancelled, or it read as interrupted.
    private async Task RunInBackgroundAsync(string tenantId, EvaluationSet set, EvaluationRun run)
    {
        // The admin request that started the run has ended; the cases are their users' turns.
        AuditedRequest.Set(null);
        using var ended = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(tenantId, run.RunId, ended);
        try
        {
            var results = new List<EvaluationCaseResult>();
            for (var i = 0; i < set.Cases.Count; i++)
            {
                results.Add(await AskAndScoreAsync(tenantId, set.Cases[i], i, run.ModelId, ended.Token));
                if (!await store.ProgressRunAsync(tenantId, run.RunId, i + 1, CancellationToken.None)) return;
            }
            await store.CompleteRunAsync(tenantId, run.RunId, run.SetId, JsonSerializer.Serialize(Summarise(results), Json), JsonSerializer.Serialize(results, Json),
                results.Count, CancellationToken.None);
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogRunFailed(logger, run.RunId, e);
            try { await store.EndRunAsync(tenantId, run.RunId, EvaluationRunStatus.Failed, "The run failed before it finished; start it again.", CancellationToken.None); }
            catch (Exception inner) { LogRunFailed(logger, run.RunId, inner); }
        }
        finally
        {
            await ended.CancelAsync();
            await heartbeat;
        }
    }

    // While this host asks the cases (a case can wait on a slow model or a rate limit), the run's row says it is alive;
    // a row no longer running stops the case being asked.
    private async Task HeartbeatAsync(string tenantId, string runId, CancellationTokenSource ended)
    {
        using var timer = new PeriodicTimer(EvaluationStore.RunHeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ended.Token))
            {
                try
                {
                    if (!await store.HeartbeatRunAsync(tenantId, runId, ended.Token)) await ended.CancelAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRunFailed(logger, runId, e); // the run goes on; its next progress or heartbeat says it is alive
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public async Task<bool> CancelRunAsync(string tenantId, string runId, CancellationToken ct) =>
        await store.EndRunAsync(tenantId, runId, EvaluationRunStatus.Cancelled, "The run was cancelled before it finished.", ct);

    private async Task<EvaluationCaseResult> AskAndScoreAsync(string tenantId, EvaluationCase c, int index, string modelId, CancellationToken ct)
    {
        var answer = await AskAsync(tenantId, c, modelId, ct);
        var (score, missing) = await scorer.ScoreAsync(c, answer, ct);
        // Only an answer of the model under test is evidence about it: a turn that ended with an error code never got
        // one (the model's own refusals are answers, scored by their text).
        return new EvaluationCaseResult(index, c.Question, answer.Text, DeterministicScorer.Cited(answer).ToList(), answer.ErrorCode, answer.Model, missing, score,
            NotAsked: answer.ErrorCode is not null);
    }

    // Stored only while the set it ran is still the one it read (a set deleted meanwhile took its runs with it).
    private async Task<(EvaluationRun Run, bool Stored)> StoreRunAsync(Caller admin, EvaluationSet set, string modelId, string purpose, IReadOnlyList<EvaluationCaseResult> results,
        CancellationToken ct)
    {
        var run = new EvaluationRun(NewRunId(), set.SetId, modelId, purpose, Summarise(results), results,
            admin.UserId, time.GetUtcNow(), EvaluationRunStatus.Completed, new EvaluationProgress(results.Count, results.Count));
        var stored = await store.InsertRunAsync(admin.TenantId, new EvaluationRunRecord(run.RunId, run.SetId, run.ModelId, run.Purpose,
            JsonSerializer.Serialize(run.Summary, Json), JsonSerializer.Serialize(run.Results, Json), run.CreatedBy, run.CreatedAt,
            run.Status, results.Count, results.Count), set.CreatedAt,
            await AuditEntryAsync(admin.TenantId, null, new JsonObject
            {
                ["runId"] = run.RunId, ["setId"] = run.SetId, ["modelId"] = run.ModelId, ["purpose"] = run.Purpose,
                ["summary"] = JsonSerializer.SerializeToNode(run.Summary, Json),
            }, ct), ct);
        return (run, stored);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EvaluationRun>> ListRunsAsync(string tenantId, string? setId, int limit, CancellationToken ct) =>
        (await store.ListRunsAsync(tenantId, setId, limit, ct)).Select(r => ToRun(r, withCases: false)).ToList();

    /// <inheritdoc />
    public async Task<EvaluationRun?> GetRunAsync(string tenantId, string runId, CancellationToken ct) =>
        await store.GetRunAsync(tenantId, runId, ct) is { } r ? ToRun(r, withCases: true) : null;

    /// <inheritdoc />
    public async Task<(EvaluationCase? Case, string? Problem)> AddCaseFromFeedbackAsync(string tenantId, string setId, string conversationId, long seq,
        IReadOnlyList<string> facts, IReadOnlyList<string> sources, string role, CancellationToken ct)
    {
        if (await store.VoteAsync(tenantId, conversationId, seq, ct) is not { } vote) return (null, "no-vote");
        if (!vote.Negative) return (null, "not-negative");
        // The question as the voter's history holds it (masked by the input check), read through its conversation grain.
        var history = await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(tenantId, conversationId))
            .GetHistoryAsync(new Caller(tenantId, vote.UserId, Roles.User), seq, 20);
        if (history?.Messages.LastOrDefault(m => m.TurnId == vote.TurnId && m.Role == ChatRoles.User) is not { } question) return (null, "no-vote");
        // A case is text only: the question without its images would be another question, so it is refused, not cut down.
        if (question.ImageIds is { Count: > 0 }) return (null, "has-images");
        // As at set creation: a case is never asked with more rights than its user has.
        if (role == Roles.TenantAdmin && (await users.GetUserAsync(tenantId, vote.UserId, ct))?.Role != Roles.TenantAdmin) return (null, "role-above-user");
        var c = new EvaluationCase(question.Content, facts, sources, vote.UserId, role);
        var entry = await AuditEntryAsync(tenantId, null, new JsonObject { ["setId"] = setId, ["conversationId"] = conversationId, ["seq"] = seq }, ct);
        return await store.AppendCaseAsync(tenantId, setId, JsonSerializer.Serialize(c, Json), EvaluationLimits.MaxCases, entry, ct) ? (c, null) : (null, "no-set");
    }

    /// <inheritdoc />
    public async Task<GateDecision> CompareAsync(Caller admin, CanarySettings canary, EvaluationSet? set, double margin, bool withLive, string purpose,
        bool reuseRecent, CancellationToken ct)
    {
        var failures = new List<GateFailure>();
        EvaluationRun? candidate = null, incumbent = null;
        if (set is not null && reuseRecent && await RecentGateRunsAsync(admin.TenantId, canary, set, purpose, ct) is { } recent)
        {
            // "Promote anyway" right after a refusal: the set was just asked of both models, and its answers are billed
            // turns; asking again would double them and could change the figures the admin is overriding.
            (candidate, incumbent) = recent;
            failures.AddRange(PromotionGate.CompareRuns(candidate.Summary!, incumbent.Summary!, margin));
        }
        else if (set is not null)
        {
            // The arms take turns case by case (who goes first alternates), so a rate limit or a budget running out
            // while the set runs falls on both arms alike rather than on whichever ran second.
            var (candidateResults, incumbentResults) = (new List<EvaluationCaseResult>(), new List<EvaluationCaseResult>());
            for (var i = 0; i < set.Cases.Count; i++)
            {
                var c = set.Cases[i];
                if (i % 2 == 1) incumbentResults.Add(await AskAndScoreAsync(admin.TenantId, c, i, canary.BaselineModelId, ct));
                candidateResults.Add(await AskAndScoreAsync(admin.TenantId, c, i, canary.CandidateModelId, ct));
                if (i % 2 == 0) incumbentResults.Add(await AskAndScoreAsync(admin.TenantId, c, i, canary.BaselineModelId, ct));
            }
            // The running canary's set cannot be deleted, so these are stored; the decision holds either way.
            candidate = (await StoreRunAsync(admin, set, canary.CandidateModelId, purpose, candidateResults, ct)).Run;
            incumbent = (await StoreRunAsync(admin, set, canary.BaselineModelId, purpose, incumbentResults, ct)).Run;
            // A case either arm could not ask is no evidence about either model: the gate does not decide on the rest.
            List<GateNotAsked> notAsked = [.. new[] { ("candidate", candidate), ("incumbent", incumbent) }
                .Where(a => a.Item2.Summary!.NotAsked > 0)
                .Select(a => new GateNotAsked(a.Item1, a.Item2.ModelId, a.Item2.Results.Count, a.Item2.Summary!.NotAsked,
                    a.Item2.Results.Where(r => r.NotAsked).GroupBy(r => r.ErrorCode!).ToDictionary(g => g.Key, g => g.Count())))];
            if (notAsked.Count > 0)
                return new GateDecision(false, [], candidate.RunId, incumbent.RunId, candidate.Summary, incumbent.Summary, notAsked);
            failures.AddRange(PromotionGate.CompareRuns(candidate.Summary!, incumbent.Summary!, margin));
        }
        if (withLive)
            failures.AddRange(PromotionGate.CompareLive(await grains.GetGrain<ICanaryGrain>(admin.TenantId).GetAsync(canary), canary));
        return new GateDecision(failures.Count == 0, failures, candidate?.RunId, incumbent?.RunId, candidate?.Summary, incumbent?.Summary);
    }

    // The newest gate pair of this set and purpose for this canary's two models, when made within the reuse window, both
    // complete, every case asked, and over the set as it is now (a set only grows).
    private async Task<(EvaluationRun Candidate, EvaluationRun Incumbent)?> RecentGateRunsAsync(string tenantId, CanarySettings canary, EvaluationSet set,
        string purpose, CancellationToken ct)
    {
        var since = DateTimeOffset.UtcNow - GateReuseWindow;
        var runs = (await ListRunsAsync(tenantId, set.SetId, 10, ct)).Where(r => r.Purpose == purpose && r.CreatedAt >= since).ToList();
        bool Usable(EvaluationRun? r) => r is { Status: EvaluationRunStatus.Completed, Summary: { NotAsked: 0 } s } && s.Cases == set.Cases.Count;
        var candidate = runs.FirstOrDefault(r => r.ModelId == canary.CandidateModelId);
        var incumbent = runs.FirstOrDefault(r => r.ModelId == canary.BaselineModelId);
        if (!Usable(candidate) || !Usable(incumbent) || (candidate!.CreatedAt - incumbent!.CreatedAt).Duration() > GatePairSpan) return null;
        return (candidate, incumbent);
    }

    /// <summary>The averages of a run's cases; cases that were never asked are counted, not averaged.</summary>
    public static EvaluationSummary Summarise(IReadOnlyList<EvaluationCaseResult> results)
    {
        static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(0).Average();
        var scores = results.Where(r => !r.NotAsked).Select(r => r.Score).ToList();
        return new EvaluationSummary(results.Count,
            Math.Round(Mean(scores.Where(s => s.FactRecall is not null).Select(s => s.FactRecall!.Value)), 4),
            Math.Round(Mean(scores.Where(s => s.CitationPrecision is not null).Select(s => s.CitationPrecision!.Value)), 4),
            Math.Round(Mean(scores.Select(s => s.Refused ? 1.0 : 0.0)), 4),
            Math.Round(Mean(scores.Select(s => (double)s.AnswerChars)), 1),
            Math.Round(Mean(scores.Select(s => s.LatencyMs)), 1),
            results.Sum(r => r.Score.CostUsd), results.Count(r => r.NotAsked));
    }

    // One case as one chat turn of the asking user: admitted by their rate limits like a chat request, then the turn.
    private async Task<EvaluationAnswer> AskAsync(string tenantId, EvaluationCase c, string modelId, CancellationToken ct)
    {
        // A case is a chat turn of its user, not the admin's change: what it writes (budget, tallies) is not audited as
        // the admin request. The context change stays inside this method.
        AuditedRequest.Set(null);
        // The user was deleted after the set was written: nobody to ask as, and nobody to bill.
        if (await users.GetUserAsync(tenantId, c.UserId, ct) is not { } user) return new EvaluationAnswer("", [], "unknown_user", null, 0, 0);
        // Never with more rights than the user has now (a demoted admin's cases are asked as a user).
        var caller = new Caller(tenantId, c.UserId, c.Role == Roles.TenantAdmin && user.Role == Roles.TenantAdmin ? Roles.TenantAdmin : Roles.User);
        var limits = grains.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenantId, c.UserId));
        var admitted = await limits.TryAdmitAsync();
        if (!admitted.Allowed)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(admitted.RetryAfterSeconds, 1, 10)), time, ct);
            if (!(admitted = await limits.TryAdmitAsync()).Allowed) return new EvaluationAnswer("", [], "rate_limited", null, 0, 0);
        }

        var conversation = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(tenantId, EvaluationConversations.NewId()));
        await conversation.CreateAsync(caller, "Evaluation");
        try
        {
            var text = new System.Text.StringBuilder();
            var cited = new List<string>();
            string? error = null, model = null;
            var cost = 0m;
            var clock = Stopwatch.StartNew();
            try
            {
                await foreach (var e in conversation.SendAsync(new SendMessage(caller, c.Question, null, modelId), ct))
                {
                    switch (e)
                    {
                        case DeltaEvent d: text.Append(d.Text); break;
                        case CitationEvent citation: cited.Add(citation.DocumentId); break;
                        case DoneEvent done: (model, cost) = (done.Model, done.Usage.CostUsd); break;
                        case ErrorEvent err: error = err.Code; break;
                    }
                }
            }
            catch (EnumerationAbortedException)
            {
                // The turn's grain went away mid-answer (its tenant deleted, its silo stopped): the case was not asked to
                // its end, which the run records, rather than failing the whole request.
                error ??= TurnErrorCodes.StreamFailed;
            }
            // A fallback (or a tier's canary) answered instead: that answer says nothing about the model under test.
            if (error is null && !string.Equals(model, modelId, StringComparison.OrdinalIgnoreCase)) error = "answered_by_other_model";
            return new EvaluationAnswer(text.ToString(), cited.Distinct().ToList(), error, model, Math.Round(clock.Elapsed.TotalMilliseconds, 1), cost);
        }
        finally
        {
            // The answer is kept in the run; the turn's usage stays in the ledger. The user's history does not keep it.
            await conversation.DeleteAsync(caller);
        }
    }

    private static EvaluationSet ToSet(EvaluationSetRecord r) =>
        new(r.SetId, r.Name, JsonSerializer.Deserialize<List<EvaluationCase>>(r.CasesJson, Json) ?? [], r.CreatedBy, r.CreatedAt);

    private static EvaluationRun ToRun(EvaluationRunRecord r, bool withCases) =>
        new(r.RunId, r.SetId, r.ModelId, r.Purpose, r.SummaryJson is null ? null : JsonSerializer.Deserialize<EvaluationSummary>(r.SummaryJson, Json),
            withCases ? JsonSerializer.Deserialize<List<EvaluationCaseResult>>(r.CasesJson, Json) ?? [] : [], r.CreatedBy, r.CreatedAt,
            r.Status, new EvaluationProgress(r.CasesDone, r.CasesTotal), r.Error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluation run {RunId} failed")]
    private static partial void LogRunFailed(ILogger logger, string runId, Exception exception);
}
