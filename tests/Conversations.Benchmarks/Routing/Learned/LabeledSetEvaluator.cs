using Conversations.Routing.Complexity;
using Conversations.Routing.Escalation;
using Conversations.Routing.Learned;
using Conversations.Routing.Router;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// Routes labeled questions with the real <see cref="ModelRouter"/> — keyword estimator (no embedding) or learned
/// router (with the question's MiniLM embedding) — and prices each answer against always-large with the same token
/// sizes as the benchmark workload. Escalation is simulated: the small model is assumed to flag doubt on
/// <see cref="EscalationDetection"/> of the questions beyond it and <see cref="EscalationFalseAlarm"/> of those within
/// it (chosen by a stable hash of the id); an escalated turn pays the small call's prompt and held opening plus the full large call.
/// </summary>
public sealed class LabeledSetEvaluator(ModelCatalog catalog, RoutingPolicy policy)
{
    /// <summary>Prompt tokens besides the question.</summary>
    public const int PromptOverheadTokens = 1200;
    /// <summary>Share of the overhead served from the provider's prompt cache.</summary>
    public const double CachedPromptShare = 0.4;
    /// <summary>Answer tokens of a question the small tier answers.</summary>
    public const int SimpleAnswerTokens = 150;
    /// <summary>Answer tokens of a question that needs more.</summary>
    public const int ComplexAnswerTokens = 450;
    /// <summary>Tokens of the held opening a doubting small model writes before it is stopped.</summary>
    public const int HeldOpeningTokens = OutOfDepth.HoldChars / 4;

    /// <summary>Assumed share of questions beyond the small model on which it flags doubt.</summary>
    public double EscalationDetection { get; init; } = 0.5;
    /// <summary>Assumed share of questions within the small model on which it flags doubt anyway.</summary>
    public double EscalationFalseAlarm { get; init; } = 0.05;

    /// <summary>Routes every question; <paramref name="embeddings"/> null routes by keywords.</summary>
    public LabeledSetReport Evaluate(IReadOnlyList<LabeledSetQuestion> questions, IReadOnlyList<float[]>? embeddings, LearnedRouter? learned, bool escalation)
    {
        var router = new ModelRouter(catalog, policy with { Escalation = escalation }, learned: learned);
        var large = catalog.Get(policy.LargeModelId);
        var small = catalog.Get(policy.SmallModelId);
        var outcomes = new List<LabeledSetOutcome>();
        for (var i = 0; i < questions.Count; i++)
        {
            var q = questions[i];
            var decision = router.Decide(new RouteRequest
            {
                TenantId = "bench", ConversationId = q.Id, Question = q.Text, QuestionEmbedding = embeddings?[i],
            });
            var model = catalog.Get(decision.ModelId);
            var tokens = Tokens(q);
            var cost = CostCalculator.Cost(model, tokens);
            var escalated = false;
            if (decision.EscalateTo is { } up && Flags(q))
            {
                escalated = true;
                cost = CostCalculator.Cost(small, tokens with { CompletionTokens = HeldOpeningTokens }) + CostCalculator.Cost(catalog.Get(up), tokens);
                model = catalog.Get(up);
            }
            outcomes.Add(new LabeledSetOutcome(q, model.Id, Under(q, model), q.Tier == RouterClasses.Small && model.Tier != ModelTier.Small,
                escalated, decision.Complexity.Score, cost, CostCalculator.Cost(large, tokens)));
        }
        return new LabeledSetReport(outcomes);
    }

    /// <summary>Every question served by its label (small, else large): the least any router can spend on this mix without under-serving.</summary>
    public LabeledSetReport Perfect(IReadOnlyList<LabeledSetQuestion> questions)
    {
        var (small, large) = (catalog.Get(policy.SmallModelId), catalog.Get(policy.LargeModelId));
        return new(questions.Select(q => new LabeledSetOutcome(q, q.Tier == RouterClasses.Small ? small.Id : large.Id, false, false, false, 0,
            CostCalculator.Cost(q.Tier == RouterClasses.Small ? small : large, Tokens(q)), CostCalculator.Cost(large, Tokens(q)))).ToList());
    }

    /// <summary>
    /// Questions sent by a score alone: below <paramref name="threshold"/> to the small model, else to the large one
    /// (how the out-of-fold scores of cross-validation are priced; no router, no escalation).
    /// </summary>
    public LabeledSetReport ByScore(IReadOnlyList<LabeledSetQuestion> questions, IReadOnlyList<double> scores, double threshold)
    {
        var (small, large) = (catalog.Get(policy.SmallModelId), catalog.Get(policy.LargeModelId));
        var outcomes = new List<LabeledSetOutcome>(questions.Count);
        for (var i = 0; i < questions.Count; i++)
        {
            var (q, model) = (questions[i], scores[i] < threshold ? small : large);
            outcomes.Add(new LabeledSetOutcome(q, model.Id, Under(q, model), q.Tier == RouterClasses.Small && model.Tier != ModelTier.Small, false,
                scores[i], CostCalculator.Cost(model, Tokens(q)), CostCalculator.Cost(large, Tokens(q))));
        }
        return new LabeledSetReport(outcomes);
    }

    // Under-served: a question that needs more answered by the small model, or by a domain model outside its domain.
    private static bool Under(LabeledSetQuestion q, ModelEntry served) => q.Tier switch
    {
        RouterClasses.Small => false,
        RouterClasses.Large => served.Tier != ModelTier.Large,
        _ => served.Tier == ModelTier.Small || (served.Tier == ModelTier.Domain && !served.Serves(q.Tier)),
    };

    private bool Flags(LabeledSetQuestion q)
    {
        var h = 2166136261u;
        foreach (var c in q.Id) h = (h ^ c) * 16777619u;
        var draw = h % 1000 / 1000.0;
        return draw < (q.Tier == RouterClasses.Small ? EscalationFalseAlarm : EscalationDetection);
    }

    private static TokenCounts Tokens(LabeledSetQuestion q)
    {
        var prompt = PromptOverheadTokens + (int)Math.Ceiling(ComplexityEstimator.WordCount(q.Text) * 1.3);
        return new TokenCounts(prompt, (int)(PromptOverheadTokens * CachedPromptShare), q.Tier == RouterClasses.Small ? SimpleAnswerTokens : ComplexAnswerTokens);
    }
}

/// <summary>How one labeled question was served.</summary>
public sealed record LabeledSetOutcome(LabeledSetQuestion Question, string ModelId, bool UnderServed, bool OverServed, bool Escalated, double Score, decimal CostUsd, decimal AlwaysLargeCostUsd);

/// <summary>Figures over a set of outcomes.</summary>
public sealed record LabeledSetReport(IReadOnlyList<LabeledSetOutcome> Outcomes)
{
    /// <summary>Questions labeled large, math or code.</summary>
    public int NeedMore => Outcomes.Count(o => o.Question.Tier != RouterClasses.Small);
    /// <summary>Questions labeled small.</summary>
    public int NeedSmall => Outcomes.Count - NeedMore;
    /// <summary>Cost as a share of always-large.</summary>
    public double CostRatio => Outcomes.Sum(o => o.AlwaysLargeCostUsd) is var l and > 0 ? (double)(Outcomes.Sum(o => o.CostUsd) / l) : 0;
    /// <summary>
    /// Cost as a share of always-large on a workload where <paramref name="needMoreShare"/> of the questions need more
    /// than the small model: the mean cost of a need-more and of a small question here, mixed in that proportion.
    /// </summary>
    public double CostRatioAtMix(double needMoreShare)
    {
        decimal Mean(bool needMore, Func<LabeledSetOutcome, decimal> cost) =>
            Outcomes.Where(o => (o.Question.Tier != RouterClasses.Small) == needMore).Select(cost).DefaultIfEmpty(0m).Average();
        var share = (decimal)needMoreShare;
        var large = share * Mean(true, o => o.AlwaysLargeCostUsd) + (1 - share) * Mean(false, o => o.AlwaysLargeCostUsd);
        return large == 0 ? 0 : (double)((share * Mean(true, o => o.CostUsd) + (1 - share) * Mean(false, o => o.CostUsd)) / large);
    }
    /// <summary>Under-served questions as a share of those that need more than the small model (the target's measure).</summary>
    public double UnderServedOfNeedMore => NeedMore == 0 ? 0 : Outcomes.Count(o => o.UnderServed) / (double)NeedMore;
    /// <summary>Small questions sent to a dearer model, as a share of the small questions.</summary>
    public double OverServedOfSmall => NeedSmall == 0 ? 0 : Outcomes.Count(o => o.OverServed) / (double)NeedSmall;
    /// <summary>Share of all questions escalated.</summary>
    public double EscalationRate => Outcomes.Count == 0 ? 0 : Outcomes.Count(o => o.Escalated) / (double)Outcomes.Count;
    /// <summary>The same figures over a subset.</summary>
    public LabeledSetReport Where(Func<LabeledSetOutcome, bool> predicate) => new(Outcomes.Where(predicate).ToList());
}
