using Conversations.Routing.Drift;

namespace Conversations.Routing.Tests.Drift;

public sealed class DriftStatisticsTests
{
    private const int Dimensions = 48;

    [Fact]
    public void Psi_is_zero_for_equal_shares_and_large_for_disjoint_ones()
    {
        // Proves the statistic itself: same shares give 0, moving the mass to an empty bin gives a large index.
        Assert.Equal(0, DriftStatistics.Psi([50, 30, 20], [100, 60, 40]), 4);
        Assert.True(DriftStatistics.Psi([100, 0, 0], [0, 0, 100]) > 5);
        Assert.True(DriftStatistics.Psi([50, 50], [60, 40]) is > 0.01 and < 0.1);
    }

    [Theory]
    [InlineData(1, 10.83 * 1.02)]
    [InlineData(6, 22.46)]
    [InlineData(20, 45.31)]
    public void Chi_square_quantile_matches_the_tables(int df, double expected)
    {
        // Proves the noise level rests on the right percentile (Wilson–Hilferty within 2 %; at one degree of freedom it errs high by 3 %).
        Assert.InRange(DriftStatistics.ChiSquare999(df), expected * 0.98, expected * 1.02);
    }

    [Fact]
    public void A_window_from_the_reference_distribution_breaches_nothing()
    {
        // Proves a steady stream raises no signal: new draws from the same topics, languages and lengths.
        var reference = Window(new Random(1), 150, topics: [0, 1, 2], "latin");
        var frozen = DriftStatistics.Freeze(reference, 3, DateTimeOffset.UnixEpoch);
        for (var seed = 2; seed < 12; seed++)
        {
            var result = DriftStatistics.Compare(frozen, Window(new Random(seed), 60, [0, 1, 2], "latin"), 1, new DriftSettings());
            Assert.False(result.Drifted, string.Join("; ", result.Signals.Where(s => s.Breached)));
        }
    }

    [Fact]
    public void The_order_questions_arrive_in_does_not_change_the_reference()
    {
        // Concurrent turns fill the reservoir in any order; the clusters (and so every later topic PSI) must not follow it.
        var window = Window(new Random(1), 40, [0, 1, 2, 3], "latin");
        var frozen = DriftStatistics.Freeze(window, 0, DateTimeOffset.UnixEpoch);
        for (var seed = 2; seed < 6; seed++)
        {
            var shuffled = Window(new Random(1), 40, [0, 1, 2, 3], "latin");
            new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled.Reservoir));
            var again = DriftStatistics.Freeze(shuffled, 0, DateTimeOffset.UnixEpoch);
            Assert.Equal(frozen.ClusterShares, again.ClusterShares);
            Assert.Equal(frozen.Clusters.Select(Convert.ToBase64String), again.Clusters.Select(Convert.ToBase64String));
        }
    }

    [Fact]
    public void A_new_topic_breaches_the_topic_and_centroid_signals()
    {
        // Proves a shifted stream is seen: questions around a topic the reference never had.
        var frozen = DriftStatistics.Freeze(Window(new Random(1), 150, [0, 1, 2], "latin"), 0, DateTimeOffset.UnixEpoch);
        var result = DriftStatistics.Compare(frozen, Window(new Random(5), 60, [7], "latin"), 0, new DriftSettings());
        Assert.True(result.Drifted);
        Assert.True(Signal(result, "topic").Breached);
        Assert.True(Signal(result, "centroid").Breached);
        Assert.False(Signal(result, "language").Breached);
    }

    [Fact]
    public void A_new_language_breaches_the_language_signal()
    {
        // Proves the language mix is compared on its own, with the same topics.
        var frozen = DriftStatistics.Freeze(Window(new Random(1), 150, [0, 1, 2], "latin"), 0, DateTimeOffset.UnixEpoch);
        var result = DriftStatistics.Compare(frozen, Window(new Random(5), 60, [0, 1, 2], "zh"), 0, new DriftSettings());
        Assert.True(Signal(result, "language").Breached);
        Assert.False(Signal(result, "topic").Breached);
    }

    [Fact]
    public void A_small_window_needs_a_larger_index_than_noise_explains()
    {
        // Proves the noise level: the same shift (PSI 0.88) counts with large windows and not with tiny ones.
        var small = DriftStatistics.Compare(Frozen(langs: [("latin", 9), ("zh", 1)]), Langs(("latin", 5), ("zh", 5)), 0, new DriftSettings());
        Assert.False(Signal(small, "language").Breached);
        var large = DriftStatistics.Compare(Frozen(langs: [("latin", 900), ("zh", 100)]), Langs(("latin", 500), ("zh", 500)), 0, new DriftSettings());
        Assert.True(Signal(large, "language").Breached);
    }

    [Fact]
    public void Answer_rates_breach_on_a_significant_rise_only()
    {
        // Proves the answer side: refusals from 2 % to 40 % breach; 2 % to 5 % does not.
        var frozen = DriftStatistics.Freeze(Answers(refused: 2, noSources: 10, fallbacks: 1, total: 100), 2, DateTimeOffset.UnixEpoch);
        var risen = DriftStatistics.Compare(frozen, Answers(refused: 40, noSources: 60, fallbacks: 30, total: 100), 30, new DriftSettings());
        Assert.True(Signal(risen, "refusal_rate").Breached);
        Assert.True(Signal(risen, "no_sources_rate").Breached);
        Assert.True(Signal(risen, "fallback_rate").Breached);
        Assert.True(Signal(risen, "negative_feedback_rate").Breached);
        Assert.Equal(0.4, Signal(risen, "refusal_rate").Current);
        var steady = DriftStatistics.Compare(frozen, Answers(refused: 5, noSources: 12, fallbacks: 2, total: 100), 3, new DriftSettings());
        Assert.False(steady.Drifted, string.Join("; ", steady.Signals.Where(s => s.Breached)));
    }

    [Fact]
    public void The_reservoir_stays_bounded()
    {
        // Proves the sketch's size does not grow with traffic: 5000 questions keep 200 vectors and exact counts.
        var window = Window(new Random(3), 5000, [0], "latin");
        Assert.Equal(DriftWindow.ReservoirSize, window.Reservoir.Count);
        Assert.Equal(5000, window.Questions);
        Assert.Equal(5000, window.Embedded);
    }

    [Fact]
    public void Offering_before_embedding_embeds_few_and_keeps_a_uniform_sample()
    {
        // 10,000 questions: only those the reservoir keeps are embedded (about 200 × (1 + ln 50) ≈ 980), and the
        // kept ones are spread over the whole window, not the first or last questions.
        const int n = 10_000;
        var firstHalf = 0.0;
        var embeddedSum = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var window = new DriftWindow();
            var random = new Random(seed);
            var made = 0;
            for (var i = 0; i < n; i++)
            {
                var slot = window.Offer(random);
                if (slot < 0) continue;
                made++;
                window.Fill(slot, BitConverter.GetBytes((float)i));
            }
            window.DropUnfilled();
            Assert.Equal(DriftWindow.ReservoirSize, window.Reservoir.Count);
            Assert.Equal(n, window.Embedded);
            embeddedSum += made;
            firstHalf += window.Reservoir.Count(v => BitConverter.ToSingle(v) < n / 2) / (double)DriftWindow.ReservoirSize;
        }
        Assert.InRange(embeddedSum / 20.0, 850, 1150);
        Assert.InRange(firstHalf / 20, 0.45, 0.55);
    }

    [Fact]
    public void An_embedding_that_never_came_leaves_no_empty_slot()
    {
        var window = new DriftWindow();
        var random = new Random(1);
        var slots = Enumerable.Range(0, 5).Select(_ => window.Offer(random)).ToList();
        window.Fill(slots[0], BitConverter.GetBytes(1f));
        window.Fill(slots[3], BitConverter.GetBytes(3f));
        window.DropUnfilled();
        Assert.Equal(2, window.Reservoir.Count);
        Assert.All(window.Reservoir, v => Assert.NotEmpty(v));
    }

    [Fact]
    public void Forgetting_a_user_removes_their_sampled_embeddings_and_keeps_the_counts()
    {
        var window = new DriftWindow();
        var random = new Random(2);
        for (var i = 0; i < 6; i++)
            window.Add(new DriftObservation(BitConverter.GetBytes((float)i), "latin", 50, false, true, false, false, false, 100, i % 2 == 0 ? "alice" : "bob"), random);
        var slots = Enumerable.Range(0, 3).Select(_ => window.Offer(random)).ToList();
        window.Fill(slots[0], BitConverter.GetBytes(10f), "bob");
        window.Fill(slots[1], BitConverter.GetBytes(11f), "alice");
        window.DropUnfilled(); // the third embedding never came

        Assert.Equal(4, window.Forget("bob"));
        Assert.Equal([0f, 2f, 4f, 11f], window.Reservoir.Select(v => BitConverter.ToSingle(v)));
        Assert.Equal(["alice", "alice", "alice", "alice"], window.ReservoirOwners);
        Assert.Equal(6, window.Questions);
        Assert.Equal(0, window.Forget("bob"));
        Assert.Equal(0, window.Forget(""));
    }

    [Fact]
    public void A_window_stored_without_owners_keeps_its_samples_as_nobodys()
    {
        var window = new DriftWindow { Reservoir = [BitConverter.GetBytes(1f), BitConverter.GetBytes(2f)] }; // as stored before owners were kept
        window.Add(new DriftObservation(BitConverter.GetBytes(3f), "latin", 50, false, true, false, false, false, 100, "carol"), new Random(0));
        Assert.Equal(["", "", "carol"], window.ReservoirOwners);
        Assert.Equal(1, window.Forget("carol"));
        Assert.Equal(2, window.Reservoir.Count);
    }

    [Theory]
    [InlineData("How many vacation days do I get?", "latin")]
    [InlineData("我每年有多少天年假？", "zh")]
    [InlineData("休暇は何日ありますか？", "ja")]
    [InlineData("휴가는 며칠입니까?", "ko")]
    [InlineData("Сколько у меня дней отпуска?", "cyrillic")]
    [InlineData("12345 ?", "other")]
    public void Languages_are_told_by_script(string text, string bucket)
    {
        // Proves the language mix buckets.
        Assert.Equal(bucket, DriftLanguages.Of(text));
    }

    [Theory]
    [InlineData(0.0, 0.1, "topicPsi")]
    [InlineData(0.25, 0.0, "centroidShift")]
    [InlineData(0.25, 3.0, "centroidShift")]
    public void Bad_thresholds_are_named(double topicPsi, double centroid, string named)
    {
        // Proves validation names the field that is wrong.
        Assert.Contains(named, new DriftSettings { TopicPsi = topicPsi, CentroidShift = centroid }.Problem());
    }

    [Fact]
    public void Bad_counts_and_periods_are_named()
    {
        // Proves the sample sizes and the schedule are bounded.
        Assert.Null(new DriftSettings().Problem());
        Assert.Contains("minSamples", new DriftSettings { MinSamples = 2 }.Problem());
        Assert.Contains("referenceSamples", new DriftSettings { MinSamples = 50, ReferenceSamples = 40 }.Problem());
        Assert.Contains("checkPeriodMinutes", new DriftSettings { CheckPeriodMinutes = 0 }.Problem());
        Assert.Contains("refusalRateIncrease", new DriftSettings { RefusalRateIncrease = 1.5 }.Problem());
        Assert.Contains("spreadRatio", new DriftSettings { SpreadRatio = double.NaN }.Problem());
    }

    private static DriftSignal Signal(DriftComparison result, string name) => result.Signals.Single(s => s.Name == name);

    // Questions around fixed topic centres (a seeded random direction each), with noise, one language, lengths 30–90.
    private static DriftWindow Window(Random random, int count, int[] topics, string language)
    {
        var window = new DriftWindow();
        for (var i = 0; i < count; i++)
        {
            var centre = Centre(topics[random.Next(topics.Length)]);
            var v = centre.Select(x => x + (float)(Gaussian(random) * 0.25)).ToArray();
            window.Add(new DriftObservation(DriftVectors.Pack(v), language, 30 + random.Next(60), false, true, true, false, false, 200 + random.Next(300)), random);
        }
        return window;
    }

    private static float[] Centre(int topic)
    {
        var random = new Random(1000 + topic);
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++) v[i] = (float)Gaussian(random);
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static DriftReference Frozen((string Language, int Count)[] langs) => DriftStatistics.Freeze(Langs(langs), 0, DateTimeOffset.UnixEpoch);

    private static DriftWindow Langs(params (string Language, int Count)[] langs)
    {
        var window = new DriftWindow();
        foreach (var (language, count) in langs)
            for (var i = 0; i < count; i++) window.Add(new DriftObservation(null, language, 50, false, false, false, false, false, 0), new Random(0));
        return window;
    }

    private static DriftWindow Answers(int refused, int noSources, int fallbacks, int total)
    {
        var window = new DriftWindow();
        for (var i = 0; i < total; i++)
            window.Add(new DriftObservation(null, "latin", 50, i < refused, i >= refused, true, i < noSources, i >= total - fallbacks, 400), new Random(0));
        return window;
    }
}
