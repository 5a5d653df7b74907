using Conversations.Knowledge.Search;

namespace Conversations.Knowledge.Tests.Unit;

public sealed class SearchLogicTests
{
    [Fact]
    public void Fusion_favours_items_ranked_well_by_both_rankers()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([["a", "b", "c"], ["b", "d", "a"]]);
        Assert.Equal(["b", "a", "d", "c"], fused.Select(f => f.Key));
        Assert.Equal(1.0 / 62 + 1.0 / 61, fused[0].Score, 12);
    }

    [Fact]
    public void Fusion_of_one_ranking_keeps_its_order()
    {
        var fused = ReciprocalRankFusion.Fuse<int>([[5, 3, 9]]);
        Assert.Equal([5, 3, 9], fused.Select(f => f.Key));
    }

    [Fact]
    public void Query_terms_drop_stop_words_and_split_chinese_into_bigrams()
    {
        Assert.Equal(["manager", "bonus"], LexicalTerms.QueryTerms("What is the manager bonus?"));
        Assert.Equal(["经理", "理奖", "奖金"], LexicalTerms.QueryTerms("经理奖金"));
        Assert.Equal(["sku", "ab", "1234"], LexicalTerms.QueryTerms("SKU AB-1234"));
        Assert.Equal("'manager' | 'bonus'", LexicalTerms.ToTsQuery("manager bonus"));
        Assert.Null(LexicalTerms.ToTsQuery("what is the?!"));
    }

    [Fact]
    public void Query_text_cannot_carry_tsquery_syntax()
    {
        var q = LexicalTerms.ToTsQuery("a' & !b | c:* (d)")!;
        Assert.DoesNotContain("&", q);
        Assert.DoesNotContain("!", q);
        Assert.DoesNotContain(":*", q);
    }

    [Fact]
    public void Cjk_bigrams_are_indexed_for_stored_text()
    {
        Assert.Equal("员工 工手 手册", LexicalTerms.CjkBigrams("Handbook 员工手册."));
        Assert.Equal("", LexicalTerms.CjkBigrams("plain English"));
    }

    [Theory]
    [InlineData(100_000, 100_000, "HnswIterative")]
    [InlineData(50_000, 100_000, "HnswIterative")]
    [InlineData(10_000, 100_000, "HnswIterative")]
    [InlineData(4_000, 8_000, "ExactScan")]
    [InlineData(1_000, 100_000, "ExactScan")]
    [InlineData(30_000, 2_000_000, "ExactScan")]
    [InlineData(0, 100_000, "ExactScan")]
    public void The_plan_follows_the_allowed_rows_and_share(long allowed, long total, string expected)
    {
        Assert.Equal(expected, RetrievalPlanner.Choose(allowed, total, 20).Kind.ToString());
    }

    [Fact]
    public void A_smaller_allowed_share_gets_a_wider_search()
    {
        var half = RetrievalPlanner.Choose(500_000, 1_000_000, 20);
        var tenth = RetrievalPlanner.Choose(100_000, 1_000_000, 20);
        Assert.True(tenth.EfSearch > half.EfSearch);
        Assert.True(tenth.MaxScanTuples >= half.MaxScanTuples);
        Assert.Equal(0.1, tenth.AllowedShare, 9);
    }

    [Fact]
    public void A_larger_tenant_gets_a_wider_search_at_the_same_share()
    {
        // Up to the reference size the measured 100,000-chunk settings hold: ef 91 at 50 %, 203 at 10 %.
        Assert.Equal(91, RetrievalPlanner.Choose(50_000, 100_000, 10).EfSearch);
        Assert.Equal(91, RetrievalPlanner.Choose(10_000, 20_000, 10).EfSearch);
        Assert.Equal(203, RetrievalPlanner.Choose(10_000, 100_000, 10).EfSearch);

        var at300k = RetrievalPlanner.Choose(150_000, 300_000, 10);
        var at1m = RetrievalPlanner.Choose(500_000, 1_000_000, 10);
        Assert.InRange(at300k.EfSearch, 92, at1m.EfSearch - 1);
        // At 1,000,000 chunks ef 91 found 0.756 of the top 10 and ef 400 0.913: the plan must go past both.
        Assert.True(at1m.EfSearch > 400, at1m.ToString());
        // pgvector refuses ef_search above 1000.
        Assert.Equal(1000, RetrievalPlanner.Choose(10_000_000, 100_000_000, 10).EfSearch);
    }
}
