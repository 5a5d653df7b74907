using Conversations.Contracts.Chat;
using Conversations.Grains.Knowledge;
using Conversations.Models.Chat;

namespace Conversations.Grains.Chat;

// The seams of a chat turn (the eight stages in docs/architecture.md). ChatTurn runs them in order; the chat wiring
// registers the pass-through defaults in StageDefaults.cs, and each feature's AddXxx replaces its own.

/// <summary>Stage 2's verdict on the user's message.</summary>
/// <param name="Allowed">False: the turn stops with <paramref name="RefusalMessage"/> and nothing else runs.</param>
/// <param name="TextToStore">The message as it may be stored and logged (personal data and secrets masked).</param>
/// <param name="TextForModel">The message as the model may see it (masked where the policy says so).</param>
internal sealed record InputVerdict(
    bool Allowed, string TextToStore, string TextForModel,
    string? RefusalCode = null, string? RefusalMessage = null, string? RiskLevel = null, IReadOnlyList<string>? Labels = null)
{
    /// <summary>The tenant's personal-data policy for models (<c>ModerationSettings.PersonalDataToModels</c>); "send" leaves <see cref="TextForModel"/> as it is.</summary>
    public string PersonalDataToModels { get; init; } = "send";

    /// <summary>Everything passes unchanged.</summary>
    public static InputVerdict Pass(string text) => new(true, text, text);

    /// <summary>Asking again later can succeed (a check the turn needed was unavailable).</summary>
    public bool Retryable { get; init; }
}

/// <summary>What the output guard lets through after a piece of the answer.</summary>
/// <param name="SafeText">Text that may go to the user now (possibly masked); may be empty while a sentence is held back.</param>
/// <param name="Withheld">True when the rest of the answer must not be shown; <paramref name="Notice"/> says why, gently.</param>
internal readonly record struct GuardedText(string SafeText, bool Withheld = false, string? Notice = null);

/// <summary>Stage 7 for one turn: moderates the streamed answer sentence by sentence.</summary>
internal interface IOutputGuard
{
    /// <summary>Feeds the next delta from the model.</summary>
    GuardedText Push(string delta);

    /// <summary>The answer ended: releases what was held back.</summary>
    GuardedText Complete();

    /// <summary>
    /// The answer ended: waits for outside checks of what was already released (Green's answer windows), bounded by
    /// their own timeouts; call before <see cref="Complete"/>, which then withholds the tail if one of them failed the answer.
    /// </summary>
    Task SettleAsync() => Task.CompletedTask;
}

/// <summary>An image the turn's question carries, with its bytes.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of <paramref name="Content"/> (the blocklist's key).</param>
/// <param name="SourceUrl">The URL it was fetched from (an outside checker can fetch it there); null for an upload.</param>
internal sealed record TurnImage(string ImageId, string MediaType, string Sha256, string? SourceUrl, byte[] Content);

/// <summary>Stages 2 and 7: checks a turn's question and hands back the moderated turn that carries the rest.</summary>
internal interface ITurnModeration
{
    /// <summary>Checks the user's message before anything else runs; the returned turn holds the verdict, the guard and the finish.</summary>
    Task<IModeratedTurn> CheckInputAsync(Caller caller, string conversationId, string turnId, string text, CancellationToken cancellationToken);

    /// <summary>Checks the user's message and the images it carries; a moderation without image checks checks the text alone.</summary>
    Task<IModeratedTurn> CheckInputAsync(Caller caller, string conversationId, string turnId, string text, IReadOnlyList<TurnImage> images,
        CancellationToken cancellationToken) => CheckInputAsync(caller, conversationId, turnId, text, cancellationToken);

    /// <summary>Moderation for text that had no question of its own (a search result's chunk): a pass verdict, the guard and the finish.</summary>
    IModeratedTurn OutputOnly(Caller caller, string conversationId, string turnId);

    /// <summary>
    /// As <see cref="OutputOnly"/>, for text shown with no question checked first (a passage opened from a citation):
    /// the tenant's lexicons are loaded when this silo has not loaded them yet, so they apply from the first call.
    /// </summary>
    Task<IModeratedTurn> OutputOnlyAsync(Caller caller, string conversationId, string turnId) => Task.FromResult(OutputOnly(caller, conversationId, turnId));

    /// <summary>
    /// Text that never reached the input check (a cancelled batch's unrun prompt) as it may be stored and shown: every
    /// finding of the built-in checks masked (no outside service is asked, nothing is recorded or charged).
    /// </summary>
    Task<string> MaskForStorageAsync(string tenantId, string text, CancellationToken cancellationToken);
}

/// <summary>One turn's moderation, from the input check on: it holds what the turn needs until it finishes, nothing silo-wide.</summary>
internal interface IModeratedTurn
{
    /// <summary>Stage 2's verdict on the question.</summary>
    InputVerdict Verdict { get; }

    /// <summary>A guard for the turn's answer (stage 7), with the turn's lexicons and notice.</summary>
    IOutputGuard StartOutput();

    /// <summary>Called once when the turn ends with its real token usage: output findings are written and token-per-minute limits charged.</summary>
    Task FinishAsync(TurnUsage usage, string answerAsShown);
}

/// <summary>One model the turn may call, with what a call costs.</summary>
/// <param name="ModelId">Catalog id; "extractive" for the local responder.</param>
/// <param name="Vision">The model reads images: only then does a call carry any.</param>
internal sealed record ModelCandidate(string ModelId, IChatModel Model, bool Vision = false);

/// <summary>Stage 6's plan for a turn: the models to try in order, or a ready answer (hard-coded reply, cache hit, refusal).</summary>
internal sealed record ModelPlan(IReadOnlyList<ModelCandidate> Chain, string Reason)
{
    /// <summary>A reply that needs no model (canned reply or answer cache); streamed as is.</summary>
    public string? ReadyAnswer { get; init; }
    /// <summary>What produced <see cref="ReadyAnswer"/>: "hard-coded", "exact-cache", "semantic-cache", "refused".</summary>
    public string? ReadyAnswerSource { get; init; }
    /// <summary>The budget refused the turn: stop with this message.</summary>
    public string? RefusalMessage { get; init; }
    /// <summary>The model that answers instead when the first model's opening shows it is out of its depth; null for no escalation.</summary>
    public ModelCandidate? Escalation { get; init; }
    /// <summary>The error code that goes with <see cref="RefusalMessage"/>: "budget_busy", "budget_exhausted" or "budget_too_small".</summary>
    public string RefusalCode { get; init; } = TurnErrorCodes.BudgetExhausted;
    /// <summary>Whether sending again later can succeed (only while turns in flight hold the budget).</summary>
    public bool RefusalRetryable { get; init; }
}

/// <summary>One turn as the router planned it: the plan, and the finish that settles what the router holds for it (reservation, canary arm, cache keys).</summary>
internal interface IRoutedTurn
{
    /// <summary>The chain to try, a ready answer, or a refusal.</summary>
    ModelPlan Plan { get; }

    /// <summary>
    /// Reports every attempt with what it consumed, the turn's usage and answer (health, canary, budget settlement,
    /// caches); returns each attempt's cost, priced at its own model.
    /// </summary>
    Task<TurnCost> FinishAsync(IReadOnlyList<ModelAttempt> attempts, string? modelId, TurnUsage usage, string answer, bool completed);
}

/// <summary>What a turn needs the router to know.</summary>
/// <param name="ConversationDepth">Turns stored before this one (folded ones included): 0 only for a first question.</param>
/// <param name="PrivateContext">The prompt carried something private to the asker (memory, summary, earlier turns).</param>
/// <param name="MemoryEpoch">The asker's memory epoch: it moves when they make the platform forget (private cache keys carry it).</param>
/// <param name="RequestedModel">The tier or model id the client asked for (see <see cref="SendMessage.Model"/>); null lets routing choose.</param>
/// <param name="ImageCount">Images the question carries: only vision-capable models may answer it.</param>
/// <param name="OutputCapped">The client capped the answer's length (see <see cref="SendMessage.MaxOutputTokens"/>).</param>
internal sealed record RoutingContext(
    Caller Caller, string ConversationId, string TurnId, string Question, int ConversationDepth,
    int PromptTokens, int MaxOutputTokens, double? RetrievalTopScore, long AclVersion, IReadOnlyList<string> ChunkIds,
    bool PrivateContext = false, long MemoryEpoch = 0, string? RequestedModel = null, int ImageCount = 0, bool OutputCapped = false)
{
    /// <summary>The turn's question embedding, shared with retrieval: the question is embedded once per turn.</summary>
    public required QuestionEmbedding Embedding { get; init; }
}

/// <summary>How one model attempt went, and what it consumed.</summary>
/// <param name="FailureCode">null on success; "model_timeout", "model_stalled", "model_unavailable".</param>
internal sealed record ModelAttempt(string ModelId, TimeSpan? TimeToFirstToken, string? FailureCode, bool BeforeFirstToken)
{
    /// <summary>The health report's name for the failure when its code does not tell it (see <see cref="ModelFailure.HealthKind"/>).</summary>
    public string? HealthKind { get; init; }

    /// <summary>
    /// The tokens the call consumed, as the provider reported them or estimated; null when it consumed none that are
    /// billed (no model ran, or the call failed before any output and reported nothing).
    /// </summary>
    public ModelUsage? Usage { get; init; }
    /// <summary>True when <see cref="Usage"/> was counted with the tokenizer because the provider reported none.</summary>
    public bool Estimated { get; init; }
}

/// <summary>What a turn's model calls cost: one figure per attempt (in the order reported), each priced at its own model.</summary>
internal sealed record TurnCost(IReadOnlyList<decimal> AttemptCostsUsd)
{
    /// <summary>The turn's cost in USD.</summary>
    public decimal TotalUsd => AttemptCostsUsd.Sum();

    /// <summary>No cost for any of <paramref name="attempts"/> attempts.</summary>
    public static TurnCost Free(int attempts) => new(new decimal[attempts]);
}

/// <summary>Stage 6: chooses models for a turn and learns from how they did.</summary>
internal interface ITurnRouter
{
    /// <summary>Plans the turn; never throws for a model outage (the chain ends with the extractive responder when the policy says so).</summary>
    Task<IRoutedTurn> PlanAsync(RoutingContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Picks the model that writes a conversation summary (the tenant's small model when it has a routing policy) and
    /// holds its worst case in the tenant's budget; a null model means the free extractive summary.
    /// </summary>
    Task<SummaryModelChoice> ChooseSummaryModelAsync(string tenantId, string foldId, int promptTokens, int maxOutputTokens);

    /// <summary>Settles a summary's cost into the tenant's budget (nothing when no model ran) and returns it in USD.</summary>
    Task<decimal> SummaryFinishedAsync(SummaryModelChoice choice, ModelUsage? usage);
}

/// <summary>The model chosen to write one summary, and the budget it holds.</summary>
/// <param name="FoldId">Identifies the summary in the budget and the usage records, like a turn id.</param>
/// <param name="Model">The model to call; null for the extractive summary.</param>
internal sealed record SummaryModelChoice(string TenantId, string FoldId, string ModelId, IChatModel? Model, decimal ReservedUsd, bool Reserved)
{
    /// <summary>The extractive summary: no model, no cost.</summary>
    public static SummaryModelChoice Extractive(string tenantId, string foldId) => new(tenantId, foldId, "extractive", null, 0m, false);

    /// <summary><paramref name="model"/>, with nothing held in a budget.</summary>
    public static SummaryModelChoice Unbudgeted(string tenantId, string foldId, string modelId, IChatModel model) => new(tenantId, foldId, modelId, model, 0m, false);
}
