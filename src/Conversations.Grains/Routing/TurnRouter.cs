using Conversations.Contracts.Chat;
using Conversations.Contracts.Routing;
using Conversations.Grains.AnswerCache;
using Conversations.Grains.Chat;
using Conversations.Grains.Health;
using Conversations.Models.Chat;
using Conversations.Routing.Caching;
using Conversations.Routing.Catalog;
using Conversations.Routing.Cost;
using Conversations.Routing.Health;
using Conversations.Routing.Policy;
using Conversations.Routing.Router;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Routing;

/// <summary>
/// Stage 6 for tenants with a routing policy: canned replies, then the answer caches, then the router's decision,
/// with the worst case reserved in the tenant's budget. After the turn it feeds endpoint health, the canary tallies,
/// the budget (real cost), the caches and the usage details. Tenants without a policy get the platform model, as
/// without this feature.
/// </summary>
internal sealed partial class TurnRouter(
    IGrainFactory grains,
    RoutingConfigCache configs,
    HealthCache health,
    ChatModelPool pool,
    IChatModelProvider platform,
    AnswerCacheService caches,
    TurnDetailsWriter details,
    QuestionEmbedder embedder,
    TimeProvider time,
    ILogger<TurnRouter> logger) : ITurnRouter
{
    /// <summary>Prompt tokens a continuation adds besides the partial answer (the "continue" instruction and framing).</summary>
    public const int ContinuationOverheadTokens = 64;

    /// <summary>Shown when the budget cannot hold this turn because turns in flight hold the rest of it.</summary>
    public const string BudgetBusyMessage =
        "This workspace's monthly model budget is nearly used up and answers in progress hold the rest of it. Please try again in a minute.";

    /// <summary>What a user is told when the budget refuses a turn: an error code, a message that says what happened, and whether a retry can help.</summary>
    public static (string Code, string Message, bool Retryable) BudgetRefusal(BudgetReservationResult grant, decimal worstCaseUsd) => grant.Denial switch
    {
        BudgetDenial.Busy => (TurnErrorCodes.BudgetBusy, BudgetBusyMessage, true),
        BudgetDenial.TooSmall => (TurnErrorCodes.BudgetTooSmall,
            $"This workspace's monthly model budget ({Usd(grant.BudgetUsd)}) is smaller than one answer can cost ({Usd(worstCaseUsd)} at most), "
            + "so no question can be answered. Ask your administrator to raise the budget.", false),
        _ => (TurnErrorCodes.BudgetExhausted,
            $"This workspace's monthly model budget is closed: {Usd(grant.SpentUsd)} of {Usd(grant.BudgetUsd)} is spent, and what was left could not hold "
            + "an answer (one can cost up to " + Usd(worstCaseUsd) + "), so new questions cannot be answered until an administrator raises the budget or the month ends.", false),
    };

    private readonly HardCodedReplies _replies = new();

    /// <inheritdoc />
    public async Task<IRoutedTurn> PlanAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        if (await configs.GetAsync(context.Caller.TenantId) is not { } routing)
            return SingleModelRouter.Plan(platform, context);
        var policy = routing.Policy;

        // A client that names a model asks for that model's answer: no canned reply, no cached answer of another model.
        // Nor does a question with images (the cache and the canned replies know its text only), nor one whose client
        // capped the answer (cached answers were written without the cap, and a capped one must not be cached).
        var pinned = context.RequestedModel is not null || context.ImageCount > 0 || context.OutputCapped;
        if (!pinned && policy.HardCodedReplies && CannedReply(context) is { } canned) return canned;

        // The learned router's embedding runs beside the cache lookup. It costs a few CPU-milliseconds, so it is only
        // made when the small/large choice is open: not for a pinned model, one model in both tiers, or a threshold
        // of 0 or 1 (everything large, everything small).
        var chooses = !pinned && policy.SmallModelId != policy.LargeModelId && policy.ComplexityThreshold is > 0 and < 1;
        var embedding = chooses ? embedder.EmbedAsync(context, cancellationToken) : Task.FromResult<float[]?>(null);
        var (cached, cacheKeys) = pinned ? (null, null) : await LookupCacheAsync(context, policy, cancellationToken);
        if (cached is not null) return cached;

        var router = grains.GetGrain<IModelRouterGrain>(context.Caller.TenantId);
        var query = new RouteQuery(context.ConversationId, context.Question, context.RetrievalTopScore, context.ConversationDepth,
            context.PromptTokens + context.MaxOutputTokens, false) { RequestedModel = context.RequestedModel, QuestionEmbedding = await embedding, RequiresVision = context.ImageCount > 0 };
        var outcome = await router.DecideAsync(query);
        if (outcome.RefusalCode == TurnErrorCodes.NoVisionModel)
            return Refused(context, outcome.Reason, outcome.RefusalMessage, TurnErrorCodes.NoVisionModel, false);
        var hold = await HoldBudgetAsync(context, routing, router, query, outcome);
        if (hold.Refusal is { } refusal) return refusal;
        return new RoutedTurn(this, context, Chain(context, routing, hold.Outcome, hold.Reason), "model", hold.Reserved, CanaryArmNames.Parse(hold.Outcome.CanaryArm),
            cacheKeys, hold.LedgerKey);
    }

    // A canned reply to a greeting or thanks, the same variant for the same turn on every silo.
    private RoutedTurn? CannedReply(RoutingContext context) =>
        _replies.Match(context.Question, StableSeed(context.TurnId)) is { } canned
            ? new RoutedTurn(this, context, new ModelPlan([], $"hard-coded reply: {canned.Intent.ToString().ToLowerInvariant()}")
            {
                ReadyAnswer = canned.Text,
                ReadyAnswerSource = "hard-coded",
            }, "hard-coded")
            : null;

    private RoutedTurn Refused(RoutingContext context, string reason, string? message, string code, bool retryable) =>
        new(this, context, new ModelPlan([], reason) { RefusalMessage = message, RefusalCode = code, RefusalRetryable = retryable }, "refused");

    /// <summary>The router's decision as the tenant's budget lets it run: reserved, refused, or downgraded past the limit.</summary>
    private sealed record BudgetHold(RouteOutcome Outcome, string Reason, bool Reserved, string? LedgerKey, RoutedTurn? Refusal = null);

    // The worst case of the chain is reserved in the tenant's budget; a denial refuses the turn or, where the admin chose
    // to keep answering, downgrades it to the small model.
    private async Task<BudgetHold> HoldBudgetAsync(RoutingContext context, TenantRouting routing, IModelRouterGrain router, RouteQuery query, RouteOutcome outcome)
    {
        var worst = routing.Policy.MonthlyBudgetUsd is null ? 0m : WorstCase(routing, outcome.Attempts, context);
        if (worst <= 0) return new BudgetHold(outcome, outcome.Reason, false, null);
        // Held and settled under a key of this run: a client may send the same turn id again, and that run is billed too.
        var ledgerKey = $"{context.TurnId}~{Guid.NewGuid():n}";
        var grant = await grains.GetGrain<IBudgetGrain>(context.Caller.TenantId).ReserveAsync(ledgerKey, worst);
        if (grant.Granted) return new BudgetHold(outcome, outcome.Reason, true, ledgerKey);
        if (ConfigMapping.ToPolicy(routing.Policy).AtBudgetLimit == BudgetLimitAction.Refuse)
        {
            var (code, message, retryable) = BudgetRefusal(grant, worst);
            return new BudgetHold(outcome, outcome.Reason, false, ledgerKey, Refused(context, $"budget: {grant.DenialReason}; policy refuses", message, code, retryable));
        }
        // Downgrade: the admin chose to keep answering with the small model past 100 %; its spend is still settled into
        // the ledger (without a reservation, which the exhausted budget would deny).
        var downgraded = await router.DecideAsync(query with { BudgetExhausted = true });
        return new BudgetHold(downgraded, $"budget: {grant.DenialReason}; {downgraded.Reason}", true, ledgerKey);
    }

    // The decision's models as the turn calls them, with the escalation model when the chain starts elsewhere.
    private ModelPlan Chain(RoutingContext context, TenantRouting routing, RouteOutcome outcome, string reason)
    {
        var chain = outcome.Attempts.Select(id => id == ModelCatalog.ExtractiveId || routing.Find(id) is not { } m
            ? new ModelCandidate(ModelCatalog.ExtractiveId, pool.Extractive)
            : new ModelCandidate(m.Id, pool.Get(m), m.Vision)).ToList();
        // Escalation replaces a small model's answer, so it is not needed once the chain already starts elsewhere.
        var escalation = outcome.EscalateTo is { } up && routing.Find(up) is { } upModel && chain.Count > 0 && chain[0].ModelId != upModel.Id
                && (context.ImageCount == 0 || upModel.Vision)
            ? new ModelCandidate(upModel.Id, pool.Get(upModel), upModel.Vision) : null;
        return new ModelPlan(chain, reason) { Escalation = escalation };
    }

    // The answer caches, for a first question only: a hit is the turn's ready answer; a miss says where its answer may be stored.
    private async Task<(RoutedTurn? Hit, CacheKeys? Keys)> LookupCacheAsync(RoutingContext context, RoutingPolicySettings policy, CancellationToken cancellationToken)
    {
        if (context.ConversationDepth != 0 || !(policy.ExactCache || policy.SemanticCache)) return (null, null);
        try
        {
            var lookup = await caches.LookupAsync(context, policy, cancellationToken);
            if (lookup.Hit is not { } hit) return (null, lookup.Keys);
            return (new RoutedTurn(this, context, new ModelPlan([], $"{lookup.Source}: answer first written by {hit.Model}" + (hit.Similarity < 1 ? $" (similarity {hit.Similarity:0.000})" : ""))
            {
                ReadyAnswer = hit.Answer,
                ReadyAnswerSource = lookup.Source,
            }, lookup.Source!), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A cache is an optimization: when it fails, the model answers.
            LogCacheFailed(logger, context.Caller.TenantId, e);
            return (null, null);
        }
    }

    /// <summary>The end of a turn this router planned: see <see cref="IRoutedTurn.FinishAsync"/>.</summary>
    internal async Task<TurnCost> FinishAsync(RoutedTurn ticket, IReadOnlyList<ModelAttempt> attempts, string? modelId,
        TurnUsage usage, string answer, bool completed)
    {
        var (context, plan) = (ticket.Context, ticket.Plan);
        var tenantId = context.Caller.TenantId;
        var routing = await configs.GetAsync(tenantId);
        var now = time.GetUtcNow();

        if (routing is not null) await ReportHealthAsync(tenantId, routing, attempts, now);

        // Every call is billed at its own model: a cut attempt and the backup that continued it are two calls, and text
        // the extractive responder wrote costs nothing. The real cost is settled even past the reservation: it was spent.
        var costs = attempts.Select(a => Price(routing, a, CostCalculator.Cost)).ToArray();
        var cost = costs.Sum();
        var tokens = Counts(usage.PromptTokens, usage.CachedPromptTokens, usage.CompletionTokens);
        var priced = routing is null ? null : attempts.Where(a => a.TimeToFirstToken is not null)
            .Select(a => routing.Catalog.Find(a.ModelId)).Where(m => m is not null)
            .MaxBy(m => m!.InputPerMillion + m.OutputPerMillion);
        if (ticket.Reserved) await grains.GetGrain<IBudgetGrain>(tenantId).SettleAsync(ticket.LedgerKey ?? context.TurnId, cost); // also records downgraded spend

        if (routing?.Policy.Canary is { } canary && ticket.Arm != CanaryArm.None && attempts.Count > 0)
            await grains.GetGrain<ICanaryGrain>(tenantId).RecordTurnAsync(canary, CanaryArmNames.Of(ticket.Arm), attempts[0].FailureCode is not null,
                attempts[0].TimeToFirstToken?.TotalMilliseconds);

        var continued = attempts.Count(a => a.TimeToFirstToken is not null) > 1;
        var servedBy = ticket.ServedBy != "model" ? ticket.ServedBy
            : !completed ? "failed"
            : string.Equals(modelId, ModelCatalog.ExtractiveId, StringComparison.OrdinalIgnoreCase) ? "extractive" : "model";
        if (routing is not null && ticket.CacheKeys is { } keys && completed && servedBy == "model" && priced is not null && answer.Length > 0)
            _ = StoreInCacheAsync(context, routing.Policy, keys, answer, modelId ?? priced.Id);

        // Routing's saving compares like with like: the same tokens, cached ones included, on the large model. What the
        // provider's prompt cache saved is reported apart, so it is not counted a second time as a routing saving.
        var large = routing?.Catalog.Find(routing.Policy.LargeModelId);
        details.Enqueue(new RoutingTurnRecord(tenantId, context.TurnId, context.Caller.UserId, context.ConversationId, modelId ?? ticket.ServedBy,
            servedBy, plan.ReadyAnswerSource is null ? plan.Reason : $"{plan.ReadyAnswerSource}: {plan.Reason}", CanaryArmNames.Of(ticket.Arm), continued,
            tokens.PromptTokens, tokens.CachedPromptTokens, tokens.CompletionTokens, cost,
            large is null ? cost : CostCalculator.Cost(large, tokens),
            attempts.Sum(a => Price(routing, a, CostCalculator.CachedTokenSavings))));
        return new TurnCost(costs);
    }

    /// <inheritdoc />
    public async Task<SummaryModelChoice> ChooseSummaryModelAsync(string tenantId, string foldId, int promptTokens, int maxOutputTokens)
    {
        if (await configs.GetAsync(tenantId) is not { } routing)
            return SummaryModelChoice.Unbudgeted(tenantId, foldId, platform.Primary.Name, platform.Primary);
        // Summaries are background work: the small model writes them, and an outage or a spent budget means the free
        // extractive summary rather than the large model.
        if (routing.Find(routing.Policy.SmallModelId) is not { } small || routing.Catalog.Find(small.Id) is not { } entry
            || (await health.GetAsync(tenantId, small)).State == CircuitState.Open)
            return SummaryModelChoice.Extractive(tenantId, foldId);
        if (routing.Policy.MonthlyBudgetUsd is null) return SummaryModelChoice.Unbudgeted(tenantId, foldId, small.Id, pool.Get(small));
        var worst = CostCalculator.WorstCase(entry, promptTokens, maxOutputTokens);
        var grant = await grains.GetGrain<IBudgetGrain>(tenantId).ReserveAsync(foldId, worst);
        return grant.Granted
            ? new SummaryModelChoice(tenantId, foldId, small.Id, pool.Get(small), worst, true)
            : SummaryModelChoice.Extractive(tenantId, foldId);
    }

    /// <inheritdoc />
    public async Task<decimal> SummaryFinishedAsync(SummaryModelChoice choice, ModelUsage? usage)
    {
        var cost = 0m;
        if (choice.Model is not null && usage is not null && (await configs.GetAsync(choice.TenantId))?.Catalog.Find(choice.ModelId) is { } entry)
        {
            cost = CostCalculator.Cost(entry, Counts(usage.PromptTokens, usage.CachedPromptTokens, usage.CompletionTokens));
        }
        // The real cost, even past the reservation: the ledger follows what the provider bills.
        if (choice.Reserved) await grains.GetGrain<IBudgetGrain>(choice.TenantId).SettleAsync(choice.FoldId, cost);
        return cost;
    }

    // Provider-reported usage, made consistent before pricing: no negatives, and never more cached than prompt tokens.
    private static TokenCounts Counts(int prompt, int cached, int completion) =>
        new(Math.Max(0, prompt), Math.Clamp(cached, 0, Math.Max(0, prompt)), Math.Max(0, completion));

    // One attempt priced at its own catalog model (cost or cached-token savings); free when it consumed nothing billed
    // or ran no catalog model (the extractive responder, a ready answer).
    private static decimal Price(TenantRouting? routing, ModelAttempt attempt, Func<ModelEntry, TokenCounts, PricingMode, decimal> price) =>
        attempt.Usage is { } u && routing?.Catalog.Find(attempt.ModelId) is { } model
            ? price(model, Counts(u.PromptTokens, u.CachedPromptTokens, u.CompletionTokens), PricingMode.Realtime)
            : 0m;

    private static string Usd(decimal amount) =>
        "$" + amount.ToString(amount >= 1m ? "#,0.00" : "0.00######", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Worst-case cost of a chain: the dearest model answering a prompt that may carry a continuation.</summary>
    public static decimal WorstCase(TenantRouting routing, IReadOnlyList<string> attempts, RoutingContext context) =>
        attempts.Select(routing.Catalog.Find).Where(m => m is not null)
            .Select(m => CostCalculator.WorstCase(m!, context.PromptTokens + context.MaxOutputTokens + ContinuationOverheadTokens, context.MaxOutputTokens))
            .DefaultIfEmpty(0m).Max();

    /// <summary>The health grain's failure name for a turn's failure code.</summary>
    public static string FailureKindOf(string failureCode) => FailureClassifier.WireName(FailureClassifier.FromTurnCode(failureCode));

    private async Task ReportHealthAsync(string tenantId, TenantRouting routing, IReadOnlyList<ModelAttempt> attempts, DateTimeOffset now)
    {
        foreach (var group in attempts.GroupBy(a => a.ModelId, StringComparer.OrdinalIgnoreCase))
        {
            if (routing.Find(group.Key) is not { } model) continue;
            var outcomes = group
                .Where(a => a.FailureCode is not null || a.TimeToFirstToken is not null)
                .Select(a => new HealthOutcome(now, a.TimeToFirstToken?.TotalMilliseconds, a.FailureCode is null ? null : a.HealthKind ?? FailureKindOf(a.FailureCode)))
                .ToList();
            if (outcomes.Count == 0) continue;
            try
            {
                await health.ReportAsync(tenantId, model, outcomes); // the credential's circuit, and the shared one for the endpoint's failures
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHealthReportFailed(logger, model.Id, e);
            }
        }
    }

    private async Task StoreInCacheAsync(RoutingContext context, RoutingPolicySettings policy, CacheKeys keys, string answer, string modelId)
    {
        try
        {
            await caches.StoreAsync(context, policy, keys, answer, modelId, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogCacheFailed(logger, context.Caller.TenantId, e);
        }
    }

    // Same variant for the same turn on every silo; string.GetHashCode is seeded per process.
    private static int StableSeed(string text)
    {
        var h = 17;
        foreach (var c in text) h = unchecked(h * 31 + c);
        return h;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answer cache unavailable for {TenantId}")]
    private static partial void LogCacheFailed(ILogger logger, string tenantId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report health of model {ModelId}")]
    private static partial void LogHealthReportFailed(ILogger logger, string modelId, Exception exception);
}
