using Conversations.Routing.Complexity;

namespace Conversations.Routing.Tests.Routing;

public sealed class ComplexityEstimatorTests
{
    private readonly ComplexityEstimator estimator = new();

    [Theory]
    [InlineData("How do I reset my VPN password?")]
    [InlineData("年假有多少天？")]
    public void Short_lookups_score_below_the_default_threshold(string question)
    {
        // Proves plain look-up questions in either language stay on the small tier.
        var estimate = estimator.Estimate(new ComplexityInput(question));
        Assert.True(estimate.Score < RoutingPolicy.DefaultComplexityThreshold, $"{estimate.Score}: {string.Join("; ", estimate.Reasons)}");
        Assert.NotEmpty(estimate.Reasons);
    }

    [Theory]
    [InlineData("Compare the two pension plans and recommend one, explaining the trade-offs.", "reasoning")]
    [InlineData("请比较两种方案的优缺点并给出建议。", "reasoning")]
    [InlineData("Our job fails with NullReferenceException in Parser.Read(line); how do I debug it?", "code")]
    [InlineData("帮我写一段Python代码解析这个文件", "code")]
    public void Reasoning_and_code_push_the_score_over_the_threshold(string question, string reasonPrefix)
    {
        // Proves reasoning and code cues (English and Chinese) are detected and named in the reasons.
        var estimate = estimator.Estimate(new ComplexityInput(question));
        Assert.True(estimate.Score >= RoutingPolicy.DefaultComplexityThreshold, $"{estimate.Score}: {string.Join("; ", estimate.Reasons)}");
        Assert.Contains(estimate.Reasons, r => r.StartsWith(reasonPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Calculations_report_the_math_domain_and_multi_step_ones_score_higher()
    {
        // Proves math is detected as a domain and more numbers mean a harder problem.
        var single = estimator.Estimate(new ComplexityInput("What is 15% of 2400?"));
        var multi = estimator.Estimate(new ComplexityInput("A loan of 10000 at 5% interest for 3 years: calculate the total repaid."));
        Assert.Contains(ComplexityEstimator.MathDomain, single.Domains);
        Assert.Contains(ComplexityEstimator.MathDomain, multi.Domains);
        Assert.True(multi.Score > single.Score);
    }

    [Fact]
    public void Weak_retrieval_and_depth_raise_strong_retrieval_lowers()
    {
        // Proves retrieval confidence and conversation depth move the score in the documented direction.
        const string question = "What is the travel policy for contractors?";
        var none = estimator.Estimate(new ComplexityInput(question)).Score;
        var weak = estimator.Estimate(new ComplexityInput(question, 0.3)).Score;
        var strong = estimator.Estimate(new ComplexityInput(question + " explain", 0.95)).Score;
        var strongBase = estimator.Estimate(new ComplexityInput(question + " explain")).Score;
        var deep = estimator.Estimate(new ComplexityInput(question, null, 20)).Score;
        Assert.True(weak > none);
        Assert.True(strong < strongBase);
        Assert.True(deep > none);
    }

    [Fact]
    public void Words_match_whole_words_only()
    {
        // Proves "why" inside another word and "code" inside "encoded" are not cues.
        var estimate = estimator.Estimate(new ComplexityInput("Is the badge encoded for whyte street?"));
        Assert.Empty(estimate.Domains);
        Assert.DoesNotContain(estimate.Reasons, r => r.StartsWith("reasoning", StringComparison.Ordinal));
    }

    [Fact]
    public void Long_questions_score_more_than_short_ones()
    {
        // Proves length alone adds to the score beyond the floor.
        var shortQ = estimator.Estimate(new ComplexityInput("What is the office address?")).Score;
        var longQ = estimator.Estimate(new ComplexityInput(string.Join(' ', Enumerable.Repeat("what is the office address of the team", 10)))).Score;
        Assert.True(longQ > shortQ);
    }
}
