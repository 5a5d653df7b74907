namespace Conversations.Moderation.Tests.Normalization;

public sealed class ModerationNormalizerTests
{
    [Theory]
    [InlineData("rude_word")]
    [InlineData("RUDE WORD")]
    [InlineData("r u d e_w o r d")]
    [InlineData("r.u.d.e.w.o.r.d")]
    [InlineData("ｒｕｄｅ＿ｗｏｒｄ")]
    [InlineData("ru\u200Bde\u200Dwo\uFEFFrd")]
    [InlineData("rudе_wоrd")] // Cyrillic е and о
    [InlineData("ŕúdé wörd")]
    [InlineData("rud3_w0rd")]
    public void Evasion_variants_share_one_matching_form(string variant)
    {
        // Proves spacing, separators, width, invisible chars, case, look-alikes, accents and leet all fold together.
        Assert.Equal(ModerationNormalizer.NormalizePattern("rude_word"), ModerationNormalizer.NormalizeForMatching(variant).ToString());
    }

    [Fact]
    public void Matching_form_maps_every_char_back_to_its_original_offset()
    {
        // Proves the offset map: each normalized char points at the original char it came from.
        var text = "a Ｂ\u200Bc";
        var normalized = ModerationNormalizer.NormalizeForMatching(text);
        Assert.Equal("abc", normalized.ToString());
        Assert.Equal(0, normalized.SourceOf(0));
        Assert.Equal(2, normalized.SourceOf(1));
        Assert.Equal(4, normalized.SourceOf(2));
        Assert.Equal((2, 5), normalized.ToOriginal(1, 3));
    }

    [Fact]
    public void Expansions_map_all_output_chars_to_the_one_source_char()
    {
        // Proves a ligature that expands to two chars maps both back to the single original char.
        var normalized = ModerationNormalizer.NormalizeForMatching("xﬁy");
        Assert.Equal("xfiy", normalized.ToString());
        Assert.Equal((1, 2), normalized.ToOriginal(1, 3));
    }

    [Fact]
    public void Chinese_text_is_kept_and_chinese_punctuation_dropped()
    {
        // Proves CJK letters survive and full-width punctuation acts as a separator.
        Assert.Equal("密码是多少", ModerationNormalizer.NormalizeForMatching("密码，是多少？").ToString());
    }

    [Fact]
    public void Light_form_keeps_digits_and_at_signs_for_pii()
    {
        // Proves the light form folds width and drops invisibles but does not apply leet folding.
        var light = ModerationNormalizer.NormalizeLight("１３８\u200B0013 8000 a@b.com");
        Assert.Equal("1380013 8000 a@b.com", light.ToString());
        Assert.Equal(4, light.SourceOf(3));
    }

    [Fact]
    public void Reusing_a_buffer_gives_the_same_result()
    {
        // Proves a reused NormalizedText is fully reset between texts.
        var buffer = new NormalizedText(4);
        ModerationNormalizer.NormalizeForMatching("a much longer text than the buffer", buffer);
        ModerationNormalizer.NormalizeForMatching("Hi", buffer);
        Assert.Equal("hi", buffer.ToString());
        Assert.Equal(2, buffer.OriginalLength);
    }

    [Fact]
    public void Emoji_between_letters_are_separators()
    {
        // Proves astral symbols (emoji) are dropped while the letters around them keep their offsets.
        var normalized = ModerationNormalizer.NormalizeForMatching("r😀u");
        Assert.Equal("ru", normalized.ToString());
        Assert.Equal(3, normalized.SourceOf(1));
    }
}
