namespace Conversations.Routing.Tests.Caching;

public sealed class QuestionNormalizerTests
{
    [Theory]
    [InlineData("What is the  Leave policy?", "WHAT IS THE LEAVE POLICY")]
    [InlineData("what's the leave policy", "Whats the leave policy?!")]
    [InlineData("年假有多少天？", "年假 有多少天?")]
    [InlineData("ＶＰＮ密码怎么重置", "vpn 密码怎么重置。")]
    [InlineData("How do I reset my VPN password 🙏", "how do i reset my vpn password")]
    public void Spelling_variants_normalize_alike(string a, string b)
    {
        // Proves case, full/half width, whitespace, punctuation and emoji do not split cache entries.
        Assert.Equal(QuestionNormalizer.Normalize(a), QuestionNormalizer.Normalize(b));
    }

    [Theory]
    [InlineData("what is 2+2", "what is 2-2")]
    [InlineData("leave policy for managers", "leave policy for staff")]
    [InlineData("price in $", "price in ¥")]
    public void Meaningful_differences_survive(string a, string b)
    {
        // Proves operators, currency symbols and words still tell questions apart.
        Assert.NotEqual(QuestionNormalizer.Normalize(a), QuestionNormalizer.Normalize(b));
    }

    [Fact]
    public void Spaces_between_latin_words_are_single()
    {
        // Proves the canonical form keeps exactly one space between Latin words and none at the ends.
        Assert.Equal("reset my vpn", QuestionNormalizer.Normalize("  Reset,\tmy\n\nVPN!  "));
    }
}
