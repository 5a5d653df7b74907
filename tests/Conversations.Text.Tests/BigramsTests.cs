namespace Conversations.Text.Tests;

public sealed class BigramsTests
{
    [Fact]
    public void Overlapping_pairs_in_order()
    {
        // Proves a run of n characters gives its n-1 overlapping pairs.
        Assert.Equal(["数据", "据库"], Bigrams.Of("数据库"));
        Assert.Empty(Bigrams.Of("数"));
        Assert.Empty(Bigrams.Of(""));
    }

    [Fact]
    public void Pairs_count_code_points_not_chars()
    {
        // Proves an ideograph outside the basic plane is one character, never split into surrogate halves.
        Assert.Equal(["𠮷野", "野家"], Bigrams.Of("𠮷野家"));
    }

    [Fact]
    public void A_single_character_can_stay_a_term()
    {
        // Proves OfOrSingle keeps a one-character run and otherwise gives the pairs.
        Assert.Equal(["猫"], Bigrams.OfOrSingle("猫"));
        Assert.Equal(["数据", "据库"], Bigrams.OfOrSingle("数据库"));
        Assert.Empty(Bigrams.OfOrSingle(""));
    }

    [Fact]
    public void Runs_are_the_maximal_stretches_that_pass()
    {
        // Proves runs split at every character outside the predicate, across surrogate pairs too.
        Assert.Equal(["年假", "𠮷天"], Bigrams.Runs("年假 is 𠮷天!", c => Scripts.IsHan(c)));
        Assert.Empty(Bigrams.Runs("no han here", c => Scripts.IsHan(c)));
    }
}
