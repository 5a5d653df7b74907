using Conversations.Routing.Caching;
using Conversations.Routing.Complexity;
using Conversations.Routing.Router;


namespace Conversations.Benchmarks.Routing.Workloads;

/// <summary>
/// Replays labeled questions the way a turn is served — canned reply, then exact answer cache, then the router —
/// and prices every answer with catalog prices against sending everything to the large model. Token sizes are
/// the same for both sides: a fixed prompt (system prompt and retrieved chunks, part of it a cached prefix) plus
/// the question, and an answer whose length depends on the question's label, not on the model.
/// </summary>
public sealed class WorkloadEvaluator(ModelCatalog catalog, RoutingPolicy policy)
{
    /// <summary>Prompt tokens besides the question: system prompt, instructions and retrieved chunks.</summary>
    public int PromptOverheadTokens { get; init; } = 1200;

    /// <summary>Share of the prompt served from the provider's context cache (the stable prefix).</summary>
    public double CachedPromptShare { get; init; } = 0.4;

    /// <summary>Answer tokens of a question that needs the small tier.</summary>
    public int SimpleAnswerTokens { get; init; } = 150;

    /// <summary>Answer tokens of a question that needs the large tier.</summary>
    public int ComplexAnswerTokens { get; init; } = 450;

    /// <summary>Replays <paramref name="questions"/> in order as one tenant's traffic, one conversation each.</summary>
    public WorkloadReport Evaluate(IReadOnlyList<LabeledQuestion> questions)
    {
        ArgumentNullException.ThrowIfNull(questions);
        var router = new ModelRouter(catalog, policy);
        var large = catalog.Get(policy.LargeModelId);
        var replies = new HardCodedReplies();
        var scope = AnswerScope.Create("workload", ["public"], 1);
        var cache = new Dictionary<string, WorkloadOutcome>(StringComparer.Ordinal);
        var outcomes = new List<WorkloadOutcome>(questions.Count);

        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            var tokens = Tokens(question);
            var alwaysLarge = CostCalculator.Cost(large, tokens);

            if (replies.Match(question.Text, i) is not null)
            {
                // A canned reply fully answers a bare greeting or thanks; only a question needing the large tier is short-changed.
                outcomes.Add(new(question, ServedBy.HardCodedReply, "hard-coded", question.Needs == ModelTier.Large, 0, 0, alwaysLarge));
                continue;
            }

            var key = AnswerCacheKey.ForQuestion(scope, question.Text);
            if (cache.TryGetValue(key, out var first))
            {
                // The cached answer is as good as the model that first wrote it.
                outcomes.Add(new(question, ServedBy.AnswerCache, first.ModelId, first.UnderServed, first.ComplexityScore, 0, alwaysLarge));
                continue;
            }

            var decision = router.Decide(new RouteRequest
            {
                TenantId = "workload",
                ConversationId = $"c{i}",
                Question = question.Text,
                RetrievalTopScore = question.RetrievalTopScore,
                ConversationDepth = question.ConversationDepth,
            });
            var model = catalog.Find(decision.ModelId);
            var served = model is null ? 0 : Rank(model.Tier);
            var outcome = new WorkloadOutcome(
                question,
                model is null ? ServedBy.Extractive : ServedBy.Model,
                decision.ModelId,
                served < Needs(question),
                decision.Complexity.Score,
                model is null ? 0 : CostCalculator.Cost(model, tokens),
                alwaysLarge);
            outcomes.Add(outcome);
            if (question.ConversationDepth == 0)
            {
                cache[key] = outcome; // Only self-contained questions are cached.
            }
        }

        return new WorkloadReport(outcomes, outcomes.Sum(o => o.CostUsd), outcomes.Sum(o => o.AlwaysLargeCostUsd));
    }

    // A domain model answers its own domain as well as the large model (that is why a rule sends questions to it).
    private static int Rank(ModelTier tier) => tier == ModelTier.Small ? 1 : 2;

    private static int Needs(LabeledQuestion question) => Rank(question.Needs);

    private TokenCounts Tokens(LabeledQuestion question)
    {
        var prompt = PromptOverheadTokens + (int)Math.Ceiling(ComplexityEstimator.WordCount(question.Text) * 1.3);
        var cached = (int)(PromptOverheadTokens * CachedPromptShare);
        return new TokenCounts(prompt, cached, question.Needs == ModelTier.Large ? ComplexAnswerTokens : SimpleAnswerTokens);
    }
}
