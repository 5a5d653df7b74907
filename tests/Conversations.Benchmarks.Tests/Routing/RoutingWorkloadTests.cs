using Conversations.Benchmarks.Routing.Workloads;
using Conversations.Routing.Catalog;
using Conversations.Routing.Cost;
using Xunit.Abstractions;

namespace Conversations.Benchmarks.Tests.Routing;

public sealed class RoutingWorkloadTests(ITestOutputHelper output)
{
    [Fact]
    public void Labeled_workload_meets_the_cost_and_under_serving_targets()
    {
        // Proves on the labeled mixed workload the router costs at most 40 % of always-large with at most 5 % under-served.
        var catalog = WorkloadModels.Catalog();
        var report = new WorkloadEvaluator(catalog, WorkloadModels.Policy()).Evaluate(RoutingWorkload.Questions);
        foreach (var o in report.Outcomes)
        {
            output.WriteLine($"{o.Question.Needs,-5} {o.ServedBy,-14} {o.ModelId,-12} {o.ComplexityScore:0.00} {(o.UnderServed ? "UNDER" : "")} {o.Question.Text}");
        }

        output.WriteLine($"cost ratio {report.CostRatio:P1}, under-served {report.UnderServedShare:P1}, cheap share {report.CheapShare(catalog):P1}");
        Assert.True(report.CostRatio <= 0.40, $"cost ratio {report.CostRatio:P1}");
        Assert.True(report.UnderServedShare <= 0.05, $"under-served {report.UnderServedShare:P1}");
    }

    [Fact]
    public void Workload_has_both_languages_both_tiers_and_free_answers()
    {
        // Proves the set is the mix the issue asks for: ~60 questions, English and Chinese, small and large, canned and repeated.
        var questions = RoutingWorkload.Questions;
        Assert.InRange(questions.Count, 55, 70);
        Assert.Contains(questions, q => q.Language == "zh" && q.Needs == ModelTier.Large);
        Assert.Contains(questions, q => q.Language == "en" && q.Needs == ModelTier.Large);
        var report = new WorkloadEvaluator(WorkloadModels.Catalog(), WorkloadModels.Policy()).Evaluate(questions);
        Assert.Contains(report.Outcomes, o => o.ServedBy == ServedBy.HardCodedReply);
        Assert.Contains(report.Outcomes, o => o.ServedBy == ServedBy.AnswerCache);
    }

    [Fact]
    public void Always_small_policy_under_serves_and_the_measure_notices()
    {
        // Proves the under-serving measure can fail: a policy whose large model is the small one under-serves every complex question.
        var alwaysSmall = WorkloadModels.Policy() with { LargeModelId = WorkloadModels.Small.Id, FallbackModelIds = [WorkloadModels.Small.Id] };
        var report = new WorkloadEvaluator(WorkloadModels.Catalog(), alwaysSmall).Evaluate(RoutingWorkload.Questions);
        Assert.Equal(RoutingWorkload.Questions.Count(q => q.Needs == ModelTier.Large), report.UnderServed);
    }

    [Fact]
    public void Always_large_policy_costs_the_same_as_always_large_minus_free_answers()
    {
        // Proves the cost measure can fail: a threshold of 0 sends every model turn to the large model.
        var report = new WorkloadEvaluator(WorkloadModels.Catalog(), WorkloadModels.Policy() with { ComplexityThreshold = 0 }).Evaluate(RoutingWorkload.Questions);
        Assert.Equal(0, report.UnderServed);
        Assert.True(report.CostRatio > 0.6, $"cost ratio {report.CostRatio:P1}");
    }
}
