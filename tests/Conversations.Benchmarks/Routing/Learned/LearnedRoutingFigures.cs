using Conversations.Benchmarks.Routing.Workloads;
using Conversations.Routing.Learned;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// The labeled set's test split routed by today's keyword estimator and by the learned router in the same run:
/// cost against always-large, under- and over-served shares, escalation off and (simulated) on, the usual and the
/// unusually phrased slices apart, a math domain model registered or not, and a few tenant thresholds.
/// </summary>
public static class LearnedRoutingFigures
{
    /// <summary>Writes the tables; returns the number of failures (no weights, no test questions).</summary>
    public static async Task<int> WriteAsync(TextWriter output, bool smoke)
    {
        var learned = LearnedRouter.Shipped;
        if (learned is null)
        {
            output.WriteLine("learned router: no weights in this build (run `train-router`)");
            return 1;
        }
        var test = LabeledSet.Load().Where(q => q.Split == "test").ToList();
        if (smoke) test = test.Where((_, i) => i % 8 == 0).ToList();
        if (test.Count == 0) return 1;
        var (vectors, embedMs) = await LabeledSet.EmbedAsync(test);

        var twoModels = new ModelCatalog([WorkloadModels.Small, WorkloadModels.Large]);
        var withMath = WorkloadModels.Catalog();
        var policy = WorkloadModels.Policy();
        var scoring = Stopwatch.StartNew();
        var learnedOff = new LabeledSetEvaluator(twoModels, policy).Evaluate(test, vectors, learned, escalation: false);
        var scoreMs = scoring.Elapsed.TotalMilliseconds / test.Count;

        output.WriteLine($"labeled set, test split only: {test.Count} questions ({test.Count(q => q.Tier != RouterClasses.Small)} need more than the small model, " +
            $"{test.Count(q => q.Unusual)} phrased unusually); trained on the train split ({learned.Weights.TrainedOn}); default threshold {learned.Weights.DefaultThreshold:0.000}");
        output.WriteLine($"cost per decision: MiniLM embedding {embedMs:0.0} ms + scoring {scoreMs:0.00} ms (one question at a time, this machine)");
        output.WriteLine("| router | models | slice | questions | cost vs always-large | under-served (of need-more) | over-served (of small) | escalated |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|");
        var slices = new (string Name, Func<LabeledSetOutcome, bool> Keep)[] { ("all test", _ => true), ("usual", o => !o.Question.Unusual), ("unusual", o => o.Question.Unusual) };
        void Rows(string router, string models, LabeledSetReport report)
        {
            foreach (var (name, keep) in slices)
            {
                var r = report.Where(keep);
                if (r.Outcomes.Count == 0) continue;
                output.WriteLine($"| {router} | {models} | {name} | {r.Outcomes.Count} | {r.CostRatio:P1} | {r.UnderServedOfNeedMore:P1} ({r.Outcomes.Count(o => o.UnderServed)}/{r.NeedMore}) | " +
                    $"{r.OverServedOfSmall:P1} ({r.Outcomes.Count(o => o.OverServed)}/{r.NeedSmall}) | {r.EscalationRate:P1} |");
            }
        }
        Rows("perfect router (the labels)", "small + large", new LabeledSetEvaluator(twoModels, policy).Perfect(test));
        Rows("keyword estimator (today)", "small + large", new LabeledSetEvaluator(twoModels, policy).Evaluate(test, null, learned, escalation: false));
        Rows("learned", "small + large", learnedOff);
        Rows("learned + escalation (simulated)", "small + large", new LabeledSetEvaluator(twoModels, policy).Evaluate(test, vectors, learned, escalation: true));
        Rows("keyword estimator (today)", "small + large + math", new LabeledSetEvaluator(withMath, policy).Evaluate(test, null, learned, escalation: false));
        Rows("learned", "small + large + math", new LabeledSetEvaluator(withMath, policy).Evaluate(test, vectors, learned, escalation: false));
        output.WriteLine();

        output.WriteLine("tenant threshold (learned, small + large, escalation off, all test questions):");
        output.WriteLine("| threshold | cost vs always-large | under-served (of need-more) | over-served (of small) |");
        output.WriteLine("|---:|---:|---:|---:|");
        foreach (var t in new[] { 0.1, 0.2, learned.Weights.DefaultThreshold, 0.5, 0.7 }.Distinct().Order())
        {
            var r = new LabeledSetEvaluator(twoModels, policy with { RouterThreshold = t }).Evaluate(test, vectors, learned, escalation: false);
            output.WriteLine($"| {t:0.000}{(t == learned.Weights.DefaultThreshold ? " (default)" : "")} | {r.CostRatio:P1} | {r.UnderServedOfNeedMore:P1} | {r.OverServedOfSmall:P1} |");
        }
        output.WriteLine();
        return 0;
    }
}
