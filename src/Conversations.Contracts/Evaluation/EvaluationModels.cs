using Conversations.Contracts.Chat;

namespace Conversations.Contracts.Evaluation;

/// <summary>One question of an evaluation set, asked as <see cref="UserId"/> with <see cref="Role"/> so the knowledge ACL applies.</summary>
/// <param name="Facts">Phrases the answer must contain (matched case-insensitively, whitespace-normalised).</param>
/// <param name="Sources">Knowledge-base document ids the answer must cite.</param>
public sealed record EvaluationCase(string Question, IReadOnlyList<string> Facts, IReadOnlyList<string> Sources, string UserId, string Role);

/// <summary>A tenant's evaluation set.</summary>
public sealed record EvaluationSet(string SetId, string Name, IReadOnlyList<EvaluationCase> Cases, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>What one turn produced, as the chat pipeline delivered it.</summary>
/// <param name="ErrorCode">The turn's error code (a refusal, a budget or model failure), null when it answered.</param>
public sealed record EvaluationAnswer(string Text, IReadOnlyList<string> CitedDocumentIds, string? ErrorCode, string? Model, double LatencyMs, decimal CostUsd);

/// <summary>The scores of one answer; a null score does not apply to the case (no facts, no sources).</summary>
public sealed record CaseScore(double? FactRecall, double? CitationPrecision, bool Refused, int AnswerChars, double LatencyMs, decimal CostUsd);

/// <summary>One case's question, answer and scores in a run.</summary>
/// <param name="NotAsked">
/// The model under test never answered the case for a reason that is not the model's answer (rate limited, budget, an
/// unknown user, moderation or storage unavailable, an endpoint down, a fallback answered): no evidence about the
/// model, left out of the run's averages.
/// </param>
public sealed record EvaluationCaseResult(int Index, string Question, string Answer, IReadOnlyList<string> Cited, string? ErrorCode, string? Model,
    IReadOnlyList<string> MissingFacts, CaseScore Score, bool NotAsked = false);

/// <summary>The averages of a run: the figures the gate compares.</summary>
/// <param name="FactRecall">Mean share of required facts found (cases with facts only); higher is better.</param>
/// <param name="CitationPrecision">Mean share of cited documents that were expected (cases with sources only); higher is better.</param>
/// <param name="RefusalRate">Share of cases refused or unanswered; lower is better.</param>
/// <param name="NotAsked">Cases the model never answered (see <see cref="EvaluationCaseResult.NotAsked"/>); the averages leave them out.</param>
public sealed record EvaluationSummary(int Cases, double FactRecall, double CitationPrecision, double RefusalRate, double MeanAnswerChars,
    double MeanLatencyMs, decimal TotalCostUsd, int NotAsked = 0);

/// <summary>How far a run is: cases asked of the set's cases.</summary>
public sealed record EvaluationProgress(int Done, int Total);

/// <summary>The states of a run.</summary>
public static class EvaluationRunStatus
{
    /// <summary>Its cases are being asked in the background.</summary>
    public const string Running = "running";
    /// <summary>Every case was asked; the summary and results are there.</summary>
    public const string Completed = "completed";
    /// <summary>It stopped before its end (its host stopped, an unexpected error); <see cref="EvaluationRun.Error"/> says why.</summary>
    public const string Failed = "failed";
    /// <summary>It was stopped on purpose before its end.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>A run of a set against one model, as stored: running with its progress, or ended.</summary>
/// <param name="Purpose">"manual", "canary-start" or "canary-promote".</param>
/// <param name="Summary">The averages; null until the run has completed.</param>
/// <param name="Results">Every case's answer and scores; empty until the run has completed (and in lists).</param>
/// <param name="Status">One of <see cref="EvaluationRunStatus"/>.</param>
/// <param name="Error">Why a failed run stopped, and what to do.</param>
public sealed record EvaluationRun(string RunId, string SetId, string ModelId, string Purpose, EvaluationSummary? Summary,
    IReadOnlyList<EvaluationCaseResult> Results, string CreatedBy, DateTimeOffset CreatedAt, string Status, EvaluationProgress Progress, string? Error = null);

/// <summary>Scores an answer against its case. The default is deterministic; a judge model can stand behind the same interface.</summary>
public interface IAnswerScorer
{
    /// <summary>The case's scores and the facts the answer misses.</summary>
    Task<(CaseScore Score, IReadOnlyList<string> MissingFacts)> ScoreAsync(EvaluationCase evaluationCase, EvaluationAnswer answer, CancellationToken cancellationToken);
}

/// <summary>Bounds of evaluation sets.</summary>
public static class EvaluationLimits
{
    /// <summary>Most cases in a set (the promotion gate asks them while its caller waits).</summary>
    public const int MaxCases = 50;
}

/// <summary>Evaluation sets, runs through the chat turn pipeline, and their results; every call is scoped to the caller's tenant.</summary>
public interface IEvaluations
{
    /// <summary>Stores a new set; false when the id is taken.</summary>
    Task<bool> CreateSetAsync(Caller admin, EvaluationSet set, CancellationToken ct);
    /// <summary>The tenant's sets.</summary>
    Task<IReadOnlyList<EvaluationSet>> ListSetsAsync(string tenantId, CancellationToken ct);
    /// <summary>One set, or null.</summary>
    Task<EvaluationSet?> GetSetAsync(string tenantId, string setId, CancellationToken ct);
    /// <summary>Deletes a set and its runs.</summary>
    Task<bool> DeleteSetAsync(string tenantId, string setId, CancellationToken ct);
    /// <summary>
    /// Stores a run of the set as running and asks its cases in the background, each a chat turn pinned to
    /// <paramref name="modelId"/>, updating its progress after each; the run completes with its scores, or ends unstored
    /// when the set (or the tenant) is deleted meanwhile. Null when the set was deleted before the run started.
    /// </summary>
    Task<EvaluationRun?> StartRunAsync(Caller admin, EvaluationSet set, string modelId, CancellationToken ct);
    /// <summary>Cancels a running run (its cases stop being asked); false when it is not running.</summary>
    Task<bool> CancelRunAsync(string tenantId, string runId, CancellationToken ct);
    /// <summary>Runs of the tenant (of one set when given), newest first, without per-case results.</summary>
    Task<IReadOnlyList<EvaluationRun>> ListRunsAsync(string tenantId, string? setId, int limit, CancellationToken ct);
    /// <summary>One run with its per-case results, or null.</summary>
    Task<EvaluationRun?> GetRunAsync(string tenantId, string runId, CancellationToken ct);
    /// <summary>
    /// Appends a case made from a thumbs-down vote: the question of the voted answer as stored, asked as the voter with
    /// <paramref name="role"/>, with the facts and sources the answer should have had. Null with the reason when it cannot
    /// ("has-images" when the question carries images: a case is text only).
    /// </summary>
    Task<(EvaluationCase? Case, string? Problem)> AddCaseFromFeedbackAsync(string tenantId, string setId, string conversationId, long seq,
        IReadOnlyList<string> facts, IReadOnlyList<string> sources, string role, CancellationToken ct);
    /// <summary>
    /// Runs the set (when given) against the canary's candidate and its baseline and compares them, together with the
    /// live canary figures when <paramref name="withLive"/>; both runs are stored under <paramref name="purpose"/>. With
    /// <paramref name="reuseRecent"/>, the set's runs of the same purpose and models from the last minutes are compared
    /// instead of asking the set again (an override right after a refusal).
    /// </summary>
    Task<GateDecision> CompareAsync(Caller admin, Routing.CanarySettings canary, EvaluationSet? set, double margin, bool withLive, string purpose,
        bool reuseRecent, CancellationToken ct);
}

/// <summary>A gated metric on which the candidate fell below the incumbent by more than the margin.</summary>
public sealed record GateFailure(string Metric, double Candidate, double Incumbent, double Margin, string Message);

/// <summary>One arm's cases that were never asked, and why (error code → cases).</summary>
public sealed record GateNotAsked(string Arm, string ModelId, int Cases, int NotAsked, IReadOnlyDictionary<string, int> Reasons);

/// <summary>The promotion gate's verdict: the runs it compared, the live canary figures it read, and what failed.</summary>
/// <param name="NotAsked">
/// The arms with cases that were never asked. When any, the gate did not decide (<see cref="Passed"/> is false and
/// <see cref="Failures"/> is empty): a case one arm could not ask says nothing about either model.
/// </param>
public sealed record GateDecision(bool Passed, IReadOnlyList<GateFailure> Failures, string? CandidateRunId, string? IncumbentRunId,
    EvaluationSummary? Candidate, EvaluationSummary? Incumbent, IReadOnlyList<GateNotAsked>? NotAsked = null)
{
    /// <summary>True when some case of either arm was never asked, so the gate could not compare the models.</summary>
    public bool Incomplete => NotAsked is { Count: > 0 };
}
