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
    /// <summary>Share of need-more questions in the held-out workload the target is checked on (16 of 36).</summary>
    public const double CheckedMixNeedMore = 16 / 36.0;

    /// <summary>Writes the tables; returns the number of failures (no weights, no test questions).</summary>
    public static async Task<int> WriteAsync(TextWriter output, bool smoke, bool listErrors = false)
    {
        var learned = LearnedRouter.Shipped;
        if (learned is null)
        {
            output.WriteLine("learned router: no weights in this build (run `train-router`)");
            return 1;
        }
        var test = LabeledSet.Load().Where(q => q.Split == "test").ToList();
        var probe = LabeledSet.Load(LabeledSet.ProbePath);
        if (smoke) (test, probe) = (test.Where((_, i) => i % 8 == 0).ToList(), probe.Where((_, i) => i % 8 == 0).ToList());
        if (test.Count == 0 || probe.Count == 0) return 1;
        var (vectors, embedMs) = await LabeledSet.EmbedAsync(test);
        var (probeVectors, _) = await LabeledSet.EmbedAsync(probe);

        var twoModels = new ModelCatalog([WorkloadModels.Small, WorkloadModels.Large]);
        var withMath = WorkloadModels.Catalog();
        var policy = WorkloadModels.Policy();
        var scoring = Stopwatch.StartNew();
        _ = new LabeledSetEvaluator(twoModels, policy).Evaluate(test, vectors, learned, escalation: false);
        var scoreMs = scoring.Elapsed.TotalMilliseconds / test.Count;

        output.WriteLine($"labeled set, test split only: {test.Count} questions ({test.Count(q => q.Tier != RouterClasses.Small)} need more than the small model, " +
            $"{test.Count(q => q.Unusual)} phrased unusually); trained on the train split ({learned.Weights.TrainedOn}); default threshold {learned.Weights.DefaultThreshold:0.000}");
        output.WriteLine($"cost per decision: MiniLM embedding {embedMs:0.0} ms + scoring {scoreMs:0.00} ms (one question at a time, this machine)");
        output.WriteLine($"probe set (written apart from the set, never trained on): {probe.Count} questions ({probe.Count(q => q.Tier != RouterClasses.Small)} need more)");
        output.WriteLine($"cost at the checked mix: the same routing, each group's mean cost weighted to {CheckedMixNeedMore:P1} need-more questions (16 of 36)");
        output.WriteLine("| router | models | slice | questions | cost vs always-large | cost at the checked mix | under-served (of need-more) | over-served (of small) | escalated |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
        var slices = new (string Name, Func<LabeledSetOutcome, bool> Keep)[]
        {
            ("all test", o => o.Question.Split == "test"), ("usual", o => o.Question.Split == "test" && !o.Question.Unusual),
            ("unusual", o => o.Question.Unusual), ("test written first", o => o.Question.Split == "test" && !o.Question.LaterTest),
            ("test written later", o => o.Question.LaterTest), ("probe", o => o.Question.Split == "probe"),
        };
        var both = test.Concat(probe).ToList();
        var bothVectors = vectors.Concat(probeVectors).ToList();
        void Rows(string router, string models, LabeledSetReport report)
        {
            foreach (var (name, keep) in slices)
            {
                var r = report.Where(keep);
                if (r.Outcomes.Count == 0) continue;
                output.WriteLine($"| {router} | {models} | {name} | {r.Outcomes.Count} | {r.CostRatio:P1} | {r.CostRatioAtMix(CheckedMixNeedMore):P1} | {r.UnderServedOfNeedMore:P1} ({r.Outcomes.Count(o => o.UnderServed)}/{r.NeedMore}) | " +
                    $"{r.OverServedOfSmall:P1} ({r.Outcomes.Count(o => o.OverServed)}/{r.NeedSmall}) | {r.EscalationRate:P1} |");
            }
        }
        var two = new LabeledSetEvaluator(twoModels, policy);
        var math = new LabeledSetEvaluator(withMath, policy);
        var learnedBoth = two.Evaluate(both, bothVectors, learned, escalation: false);
        Rows("perfect router (the labels)", "small + large", two.Perfect(both));
        Rows("keyword estimator (today)", "small + large", two.Evaluate(both, null, learned, escalation: false));
        Rows("learned", "small + large", learnedBoth);
        Rows("learned + escalation (simulated)", "small + large", two.Evaluate(both, bothVectors, learned, escalation: true));
        Rows("keyword estimator (today)", "small + large + math", math.Evaluate(both, null, learned, escalation: false));
        Rows("learned", "small + large + math", math.Evaluate(both, bothVectors, learned, escalation: false));
        output.WriteLine();
        if (listErrors)
        {
            // The misrouted test questions, to read (never to tune on): label, where they went, score.
            foreach (var o in learnedBoth.Outcomes.Where(o => o.UnderServed || o.OverServed).OrderBy(o => o.UnderServed).ThenBy(o => o.Score))
                output.WriteLine($"{o.Question.Split,-5} {(o.UnderServed ? "under" : "over ")} {o.Question.Tier,-5} {o.Score:0.000} {o.Question.Id} {o.Question.Text.ReplaceLineEndings(" ")[..Math.Min(110, o.Question.Text.ReplaceLineEndings(" ").Length)]}");
            output.WriteLine();
        }

        output.WriteLine("tenant threshold (learned, small + large, all test questions; escalation simulated as above):");
        output.WriteLine("| threshold | escalation | cost vs always-large | cost at the checked mix | under-served (of need-more) | over-served (of small) | escalated |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var t in new[] { 0.1, 0.2, learned.Weights.DefaultThreshold, 0.4, 0.5, 0.6, 0.7 }.Distinct().Order())
            foreach (var escalation in new[] { false, true })
            {
                var r = new LabeledSetEvaluator(twoModels, policy with { RouterThreshold = t }).Evaluate(test, vectors, learned, escalation);
                output.WriteLine($"| {t:0.000}{(t == learned.Weights.DefaultThreshold ? " (default)" : "")} | {(escalation ? "on" : "off")} | {r.CostRatio:P1} | " +
                    $"{r.CostRatioAtMix(CheckedMixNeedMore):P1} | {r.UnderServedOfNeedMore:P1} | {r.OverServedOfSmall:P1} | {r.EscalationRate:P1} |");
            }
        output.WriteLine();
        return 0;
    }
}
