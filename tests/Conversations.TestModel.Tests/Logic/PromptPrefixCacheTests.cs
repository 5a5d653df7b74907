namespace Conversations.TestModel.Tests.Logic;

/// <summary>The block-hash prefix cache behind cached_tokens.</summary>
public sealed class PromptPrefixCacheTests
{
    [Fact]
    public void Longest_shared_prefix_counts_in_whole_blocks()
    {
        // Proves: cached tokens are the shared prefix rounded down to the block, and a divergence inside a block loses that block.
        var cache = new PromptPrefixCache(new PromptCacheOptions { MinimumTokens = 8, BlockTokens = 4 });
        var first = Enumerable.Range(0, 20).ToArray();
        var second = first.ToArray();
        second[14] = -1;

        Assert.Equal(0, cache.LookupAndRemember(first));
        Assert.Equal(12, cache.LookupAndRemember(second));
        Assert.Equal(20, cache.LookupAndRemember(first));
    }

    [Fact]
    public void Capacity_bounds_what_is_remembered()
    {
        // Proves: past its capacity the cache forgets the oldest blocks, so an old prompt is no longer a hit.
        var cache = new PromptPrefixCache(new PromptCacheOptions { MinimumTokens = 4, BlockTokens = 4, CapacityBlocks = 4 });
        var old = Enumerable.Range(0, 16).ToArray();
        var newer = Enumerable.Range(100, 16).ToArray();

        cache.LookupAndRemember(old);
        cache.LookupAndRemember(newer);

        Assert.Equal(0, cache.LookupAndRemember(old));
    }
}
