using Conversations.Routing.Complexity;
using Conversations.Routing.Escalation;
using Conversations.Routing.Learned;

namespace Conversations.Routing.Tests.Learned;

/// <summary>The learned router's signals, classifier, threshold and explanation, on a toy four-dimensional "embedding" whose axes stand for the classes.</summary>
public sealed class LearnedRouterTests
{
    private static readonly string[] Labels = [RouterClasses.Small, RouterClasses.Large, RouterClasses.Math, RouterClasses.Code];

    // A point near axis k of the toy embedding is of class k; templates group two neighbours.
    private static float[] Near(int axis, int i)
    {
        var v = new float[4];
        v[axis] = 1;
        v[(axis + 1) % 4] = 0.15f * ((i % 5) - 2) / 2;
        return v;
    }

    private static List<TrainingRow> ToyRows() =>
        Enumerable.Range(0, 80).Select(i => new TrainingRow(
            LearnedRouter.Features(Near(i % 4, i), RouterSignals.Of(new ComplexityInput($"question {i}"))), Labels[i % 4], $"t{i / 8}-{i % 4}")).ToList();

    private static LearnedRouter Toy() => new(RouterTraining.Train(ToyRows(), 4, new TrainingOptions { Fit = new FitOptions(Iterations: 120) }).Weights);

    [Fact]
    public void Signals_see_equations_code_language_and_length()
    {
        // Proves the cheap signals react to the shapes they name.
        double Signal(string question, string name) => RouterSignals.Of(new ComplexityInput(question))[RouterSignals.Names.ToList().IndexOf(name)];
        Assert.Equal(1, Signal("2x + 3 = 11, x?", "equation"));
        Assert.Equal(0, Signal("How many days of leave do I get?", "equation"));
        Assert.Equal(1, Signal("def total(xs): return sum(xs)", "code shape"));
        Assert.True(Signal("陪产假有几天？", "chinese") > 0.9);
        Assert.Equal(0, Signal("paternity leave", "chinese"));
        Assert.True(Signal(string.Join(' ', Enumerable.Repeat("word", 60)), "length") > Signal("word word", "length"));
        Assert.Equal(RouterSignals.Names.Count, RouterSignals.Of(new ComplexityInput("x")).Length);
    }

    [Fact]
    public void Signals_see_look_ups_tasks_word_problems_and_pasted_text()
    {
        // Proves the signals for the set's known misses react: Chinese plans without cue words, word problems without "calculate", a paste followed by a short ask.
        double Signal(string question, string name) => RouterSignals.Of(new ComplexityInput(question))[RouterSignals.Names.ToList().IndexOf(name)];
        Assert.True(Signal("帮我搞个明年的培训计划", "task words") > 0);
        Assert.True(Signal("公司搬家，三百多人，周末两天搞定，帮忙排个流程，怎么安排", "task words") > 0);
        Assert.Equal(0, Signal("婚假有几天？", "task words"));
        Assert.Equal(1, Signal("打车票超过多少要附行程单吗？", "look-up words"));
        Assert.Equal(1, Signal("Do we have a case study for retail customers?", "look-up words"));
        Assert.Equal(0, Signal("Sort out the order of things for the move.", "look-up words"));
        Assert.Equal(1, Signal("磁盘2T，用了1.3T，每天多写15G，还能撑几天", "word problem"));
        Assert.Equal(1, Signal("A tank holds 300 litres and drains 12 a minute. How long until it is empty?", "word problem"));
        Assert.Equal(0, Signal("How many days of leave do I get?", "word problem")); // a look-up with no numbers given
        Assert.Equal(1, Signal("FW: RE: invoice\n> please use PO 4500\nWhich PO goes on the invoice?", "pasted text"));
        Assert.Equal(0, Signal("Which PO goes on the invoice?", "pasted text"));
        Assert.True(Signal("A long story about my monitor. It flickers again. It was fine. Phone number?", "last ask length")
            < Signal("Put together the hiring plan for the data team with the budget down fifteen percent", "last ask length"));
    }

    [Fact]
    public void Quoted_share_counts_pasted_passages_and_not_terms_or_apostrophes()
    {
        // Proves a quoted clause or notice followed by a short ask reads as mostly quoted, in both languages, while a quoted
        // term, apostrophes ("don't … it's") and plain questions read as none.
        double Quoted(string question) => RouterSignals.Of(new ComplexityInput(question))[RouterSignals.Names.ToList().IndexOf("quoted share")];
        Assert.True(Quoted("Clause 9.2: 'Either party may terminate this Agreement by giving ninety days of written notice.' How much notice?") > 0.6);
        Assert.True(Quoted("合同第7条写着：“乙方应于每季度结束后15个工作日内开具增值税专用发票，甲方收到发票后30日内付款。”甲方多久内付款？") > 0.6);
        Assert.True(Quoted("Facilities posted \"The east entrance is closed for repairs until Friday; use the west door.\" Which door do I use?") > 0.5);
        Assert.Equal(0, Quoted("What does “RTO” mean in the DR plan?"));
        Assert.Equal(0, Quoted("Don't worry if it's late, but what's the guest wifi password? It's for a visitor's laptop."));
        Assert.Equal(0, Quoted("帮我搞个明年的培训计划"));
    }

    [Fact]
    public void Signal_weights_can_be_regularized_apart_from_the_embedding()
    {
        // Proves a weaker L2 on the trailing signal features lets them carry more weight, while the embedding's L2 is unchanged.
        var rows = ToyRows();
        var x = rows.Select(r => r.Features).ToList();
        var y = rows.Select(r => Labels.ToList().IndexOf(r.Label)).ToList();
        var signals = RouterSignals.Names.Count;
        double SignalMass(FitOptions o) => LogisticRegression.Fit(x, y, 4, o).Weights.Sum(row => row.TakeLast(signals).Sum(Math.Abs));
        var same = new FitOptions(L2: 1, Iterations: 120);
        Assert.True(SignalMass(same with { SignalFeatures = signals, SignalL2 = 0.001 }) > SignalMass(same));
    }

    [Fact]
    public void Training_is_deterministic_and_learns_the_classes()
    {
        // Proves the same data give the same weights, and the fitted classifier puts each toy class first.
        var a = RouterTraining.Train(ToyRows(), 4, new TrainingOptions { Fit = new FitOptions(Iterations: 120) }).Weights;
        var b = RouterTraining.Train(ToyRows(), 4, new TrainingOptions { Fit = new FitOptions(Iterations: 120) }).Weights;
        Assert.Equal(a.ToJson(), b.ToJson());
        var router = new LearnedRouter(a);
        for (var k = 0; k < 4; k++)
        {
            var estimate = router.Estimate(Near(k, 2), new ComplexityInput("question"));
            Assert.Equal(Labels[k], estimate.Probabilities.MaxBy(p => p.Value).Key);
            Assert.Equal(1.0, estimate.Probabilities.Values.Sum(), 2);
        }
    }

    [Fact]
    public void Cross_validated_threshold_keeps_under_served_within_the_allowed_share()
    {
        // Proves the default threshold leaves at most the allowed share of need-more questions under it, out of fold.
        var (weights, cv) = RouterTraining.Train(ToyRows(), 4, new TrainingOptions(MaxUnderServed: 0.05) { Fit = new FitOptions(Iterations: 120) });
        Assert.Equal(cv.Threshold, weights.DefaultThreshold);
        Assert.InRange(cv.UnderServed, 0, 0.05);
        Assert.InRange(weights.DefaultThreshold, 0, 1);
    }

    [Fact]
    public void Weights_round_trip_and_bad_shapes_are_refused()
    {
        // Proves the stored form reads back identical and a file that does not fit this build is rejected, not half-used.
        var weights = Toy().Weights;
        Assert.Equal(weights.ToJson(), RouterWeights.Parse(weights.ToJson()).ToJson());
        Assert.Throws<InvalidDataException>(() => RouterWeights.Parse((weights with { Bias = [0, 0] }).ToJson()));
        Assert.Throws<InvalidDataException>(() => RouterWeights.Parse((weights with { Signals = ["length"] }).ToJson()));
        Assert.Throws<InvalidDataException>(() => RouterWeights.Parse((weights with { DefaultThreshold = 1.5 }).ToJson()));
        Assert.Throws<ArgumentException>(() => Toy().Estimate(new float[3], new ComplexityInput("q")));
    }

    [Fact]
    public void Router_uses_the_learned_score_and_explains_it()
    {
        // Proves a turn with an embedding is routed by the learned score against the threshold, and the reason names score and drivers.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { RouterThreshold = 0.5 }, learned: Toy());
        var small = router.Decide(Request("Please explain step by step why", Near(0, 2)));
        var large = router.Decide(Request("hi", Near(1, 2)));
        Assert.Equal("qwen-small", small.ModelId);
        Assert.Equal("qwen-large", large.ModelId);
        Assert.Contains("score", large.Reason, StringComparison.Ordinal);
        Assert.Contains("learned router", large.Reason, StringComparison.Ordinal);
        Assert.Contains(LearnedRouter.MeaningFeature, large.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tenant_threshold_trades_cost_for_quality_and_is_validated()
    {
        // Proves a lower tenant threshold sends a borderline question up, and an out-of-range threshold is refused with a clear message.
        var toy = Toy();
        var borderline = new float[] { 0.7f, 0.7f, 0, 0 };
        var score = toy.Estimate(borderline, new ComplexityInput("q")).Score;
        Assert.Equal("qwen-small", new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { RouterThreshold = Math.Min(1, score + 0.01) }, learned: toy).Decide(Request("q", borderline)).ModelId);
        Assert.Equal("qwen-large", new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { RouterThreshold = Math.Max(0, score - 0.01) }, learned: toy).Decide(Request("q", borderline)).ModelId);
        foreach (var bad in new[] { -0.1, 1.1, double.NaN })
            Assert.Contains("Router threshold", Assert.Throws<ArgumentException>(() => (TestModels.Policy() with { RouterThreshold = bad }).Validate(TestModels.Catalog())).Message);
    }

    [Fact]
    public void Keyword_threshold_extremes_keep_their_meaning_under_the_learned_router()
    {
        // Proves a policy that sends everything large (0) or everything small (1) still does with the learned router.
        Assert.Equal("qwen-large", new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { ComplexityThreshold = 0 }, learned: Toy()).Decide(Request("q", Near(0, 2))).ModelId);
        Assert.Equal("qwen-small", new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { ComplexityThreshold = 1 }, learned: Toy()).Decide(Request("q", Near(1, 0))).ModelId);
    }

    [Fact]
    public void Math_goes_to_the_registered_domain_model_else_large()
    {
        // Proves a question the learned router reads as math goes to the catalog's math model, and to the large model when none is registered.
        var math = Request("q", Near(2, 2));
        Assert.Equal("qwen-math", new ModelRouter(TestModels.Catalog(), TestModels.Policy(), learned: Toy()).Decide(math).ModelId);
        var noMath = new ModelCatalog([TestModels.Small, TestModels.Large]);
        Assert.Equal("qwen-large", new ModelRouter(noMath, TestModels.Policy(), learned: Toy()).Decide(math).ModelId);
    }

    [Fact]
    public void N_gram_buckets_let_the_router_read_wording_the_embedding_misses()
    {
        // Proves n-gram weights train, load and score: with the same embedding for every question, Chinese look-ups and
        // plans are told apart, the wording pushes the plan up, and the explanation names it.
        var asks = new[] { ("几点开门", RouterClasses.Small), ("帮我排个计划", RouterClasses.Large) };
        var rows = Enumerable.Range(0, 40).Select(i => (text: asks[i % 2].Item1 + new string('！', i % 3), label: asks[i % 2].Item2, template: $"t{i % 8}"))
            .Select(q => new TrainingRow(LearnedRouter.Features(new float[] { 1, 0 }, RouterSignals.Of(new ComplexityInput(q.text)), QuestionNgrams.Of(q.text, 64)), q.label, q.template))
            .ToList();
        var options = new TrainingOptions { NgramBuckets = 64, Fit = new FitOptions(Iterations: 120) { NgramL2 = 0.001 } };
        var router = new LearnedRouter(RouterTraining.Train(rows, 2, options).Weights);
        Assert.Equal(64, RouterWeights.Parse(router.Weights.ToJson()).NgramBuckets);
        var plan = router.Estimate([1, 0], new ComplexityInput("帮我排个计划"));
        Assert.True(plan.Score > 0.5, $"plan scored {plan.Score}");
        Assert.True(router.Estimate([1, 0], new ComplexityInput("几点开门")).Score < 0.5);
        Assert.Contains(plan.Drivers, d => d.Feature == LearnedRouter.WordingFeature && d.Contribution > 0);
    }

    [Fact]
    public void Without_an_embedding_or_weights_the_keyword_estimator_decides_visibly()
    {
        // Proves the fallback: no embedding (or a wrong one) routes by keywords and the reason says why.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy(), learned: Toy());
        Assert.Contains("keyword estimator (no question embedding)", router.Decide(Request("Where is the expense form?", null)).Reason, StringComparison.Ordinal);
        Assert.Contains("learned router failed", router.Decide(Request("Where is the expense form?", new float[7])).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Escalation_target_is_the_large_model_only_for_small_choices_it_can_take()
    {
        // Proves a small choice names the large model for escalation, and no escalation when it is off, the large model is down or the choice is already large.
        var router = new ModelRouter(TestModels.Catalog(), TestModels.Policy(), learned: Toy());
        Assert.Equal("qwen-large", router.Decide(Request("q", Near(0, 2))).EscalateTo);
        Assert.Null(router.Decide(Request("q", Near(1, 2))).EscalateTo);
        Assert.Null(router.Decide(Request("q", Near(0, 2)) with { UnavailableModelIds = ["qwen-large"] }).EscalateTo);
        Assert.Null(new ModelRouter(TestModels.Catalog(), TestModels.Policy() with { Escalation = false }, learned: Toy()).Decide(Request("q", Near(0, 2))).EscalateTo);
    }

    [Theory]
    [InlineData("[[unsure]]")]
    [InlineData("I'm not sure this is right, but")]
    [InlineData("我不确定这个问题的答案")]
    [InlineData("I cannot answer that reliably.")]
    public void Out_of_depth_openings_are_recognised(string opening)
    {
        // Proves the escalation signs are read in both languages.
        Assert.NotNull(OutOfDepth.Check(opening, true, false));
    }

    [Theory]
    [InlineData("You get 10 days of paternity leave.")]
    [InlineData("陪产假是十天。")]
    public void A_plain_answer_is_not_out_of_depth(string opening)
    {
        // Proves a plain answer passes in either language.
        Assert.Null(OutOfDepth.Check(opening, true, false));
    }

    [Fact]
    public void An_answer_cut_at_the_cap_within_its_opening_is_out_of_depth()
    {
        // Proves truncation is a sign only when the answer ended at the output cap.
        Assert.NotNull(OutOfDepth.Check("Step 1: let x be", true, true));
        Assert.Null(OutOfDepth.Check("Step 1: let x be", false, false));
    }

    private static RouteRequest Request(string question, float[]? embedding) =>
        new() { TenantId = "t1", ConversationId = "c1", Question = question, QuestionEmbedding = embedding };
}
