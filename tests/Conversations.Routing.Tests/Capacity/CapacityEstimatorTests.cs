using Conversations.Routing.Capacity;

namespace Conversations.Routing.Tests.Capacity;

public sealed class CapacityEstimatorTests
{
    // The worked example: DeepSeek-R1 671B in FP8, ~70 KB of MLA cache per token on each card, 8 × 96 GB cards.
    private static readonly CapacityInputs DeepSeekR1 = new(671e9, CapacityInputs.Fp8, 70 * 1024, KvCacheLayout.ReplicatedPerCard, 96, 8);

    [Fact]
    public void Reproduces_the_DeepSeek_R1_worked_example()
    {
        // Proves 671B in FP8 ≈ 625 GiB of weights, a 64K request ≈ 35 GiB of KV over 8 cards (≈ 660 in all), and about 4 concurrent 64K requests.
        var estimate = CapacityEstimator.Estimate(DeepSeekR1, [64 * 1024]);
        Assert.Equal(625, estimate.WeightsGiB, 0);
        var row = estimate.ByContextLength[0];
        Assert.Equal(35, row.KvPerRequestAllCardsGiB, 1);
        Assert.Equal(660, estimate.WeightsGiB + row.KvPerRequestAllCardsGiB, 0);
        Assert.Equal(4, row.MaxConcurrentRequests);
        Assert.True(estimate.Fits);
    }

    [Fact]
    public void Reproduces_the_small_model_figure()
    {
        // Proves a 1.5B model in FP32 needs about 5.59 GiB (1.5e9 × 4 bytes / 2^30).
        Assert.Equal(5.59, CapacityEstimator.WeightsGiB(1.5e9, CapacityInputs.Fp32), 2);
    }

    [Fact]
    public void Shorter_contexts_allow_proportionally_more_requests()
    {
        // Proves concurrency scales inversely with context length (why limiting context length raises capacity).
        var rows = CapacityEstimator.Estimate(DeepSeekR1, [64 * 1024, 16 * 1024, 4 * 1024]).ByContextLength;
        Assert.Equal([4, 16, 65], rows.Select(r => r.MaxConcurrentRequests));
    }

    [Fact]
    public void Overhead_and_precision_change_the_answer()
    {
        // Proves reserving runtime memory lowers concurrency and FP16 weights no longer fit on 8 × 96 GiB.
        Assert.True(CapacityEstimator.MaxConcurrentRequests(DeepSeekR1 with { OverheadFraction = 0.1 }, 64 * 1024) < 4);
        var fp16 = CapacityEstimator.Estimate(DeepSeekR1 with { BytesPerParameter = CapacityInputs.Fp16 }, [64 * 1024]);
        Assert.False(fp16.Fits);
        Assert.Equal(0, fp16.ByContextLength[0].MaxConcurrentRequests);
    }

    [Fact]
    public void Gqa_cache_is_derived_from_the_architecture_and_shards_across_cards()
    {
        // Proves the MHA/GQA formula (2 × layers × kvHeads × headDim × bytes) and that sharding divides it per card.
        var perToken = KvCacheSize.PerToken(layers: 80, kvHeads: 8, headDim: 128, bytesPerElement: 2);
        Assert.Equal(327_680, perToken);
        var inputs = new CapacityInputs(72e9, CapacityInputs.Fp16, perToken, KvCacheLayout.ShardedAcrossCards, 80, 4);
        var estimate = CapacityEstimator.Estimate(inputs, [32 * 1024]);
        Assert.Equal(perToken / 4, estimate.KvBytesPerTokenPerCard);
        var expected = (int)Math.Floor((80 - (72e9 * 2 / (1 << 30) / 4)) / (32 * 1024 * perToken / 4 / (1 << 30)));
        Assert.Equal(expected, estimate.ByContextLength[0].MaxConcurrentRequests);
    }

    [Fact]
    public void Minimum_gpu_count_finds_the_smallest_cluster()
    {
        // Proves the search returns the first card count that serves the load, and the one below it does not.
        var cards = CapacityEstimator.MinimumGpuCount(DeepSeekR1, 64 * 1024, 10);
        Assert.NotNull(cards);
        Assert.True(CapacityEstimator.MaxConcurrentRequests(DeepSeekR1 with { GpuCount = cards.Value }, 64 * 1024) >= 10);
        Assert.True(CapacityEstimator.MaxConcurrentRequests(DeepSeekR1 with { GpuCount = cards.Value - 1 }, 64 * 1024) < 10);
    }
}
