namespace Conversations.Routing.Tests.Caching;

public sealed class QuestionNormalizerTests
{
    [Theory]
    [InlineData("What is the  Leave policy?", "WHAT IS THE LEAVE POLICY", true)]
    [InlineData("what's the leave policy", "Whats the leave policy?!", true)]
    [InlineData("年假有多少天？", "年假 有多少天?", true)]
    [InlineData("ＶＰＮ密码怎么重置", "vpn 密码怎么重置。", true)]
    [InlineData("How do I reset my VPN password 🙏", "how do i reset my vpn password", true)]
    [InlineData("what is 2+2", "what is 2-2", false)]
    [InlineData("leave policy for managers", "leave policy for staff", false)]
    [InlineData("price in $", "price in ¥", false)]
    [InlineData("What is -5 plus 3", "What is 5 plus 3", false)]
    [InlineData("What is 10% of the budget", "What is 10 of the budget", false)]
    [InlineData("Should I use the -rf flag", "Should I use the rf flag", false)]
    [InlineData("Is the budget 4.2 million", "Is the budget 42 million", false)]
    [InlineData("Is the budget 4.2 million", "Is the budget 4 2 million", false)]
    [InlineData("Is the budget 1,000 dollars?", "is the budget 1,000 dollars", true)]
    [InlineData("Is it ready. Really?", "is it ready really", true)]
    [InlineData("\"Leave\" (annual) policy, please!", "leave annual policy please", true)]
    public void Spelling_variants_normalize_alike_and_meaningful_differences_survive(string a, string b, bool alike)
    {
        // Proves case, full/half width, whitespace, punctuation and emoji do not split cache entries, while operators,
        // currency symbols and words still tell questions apart.
        var (na, nb) = (QuestionNormalizer.Normalize(a), QuestionNormalizer.Normalize(b));
        Assert.True(alike == (na == nb), $"'{na}' vs '{nb}' should {(alike ? "" : "not ")}be equal");
    }

    [Fact]
    public void Spaces_between_latin_words_are_single()
    {
        // Proves the canonical form keeps exactly one space between Latin words and none at the ends.
        Assert.Equal("reset my vpn", QuestionNormalizer.Normalize("  Reset,\tmy\n\nVPN!  "));
    }
}
