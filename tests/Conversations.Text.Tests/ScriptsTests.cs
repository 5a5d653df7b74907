namespace Conversations.Text.Tests;

public sealed class ScriptsTests
{
    [Theory]
    [InlineData(nameof(Scripts.IsHan), "中", true)]   // unified ideographs
    [InlineData(nameof(Scripts.IsHan), "㐀", true)]   // extension A
    [InlineData(nameof(Scripts.IsHan), "𠮷", true)]   // extension B, outside the basic plane
    [InlineData(nameof(Scripts.IsHan), "𰀀", true)]   // extension G
    [InlineData(nameof(Scripts.IsHan), "豈", true)]   // compatibility ideograph
    [InlineData(nameof(Scripts.IsHan), "々", true)]   // iteration mark
    [InlineData(nameof(Scripts.IsHan), "あ", false)]
    [InlineData(nameof(Scripts.IsHan), "한", false)]
    [InlineData(nameof(Scripts.IsHan), "a", false)]
    [InlineData(nameof(Scripts.IsHan), "。", false)]
    [InlineData(nameof(Scripts.HasNoWordSpaces), "ภ", true)]   // Thai
    [InlineData(nameof(Scripts.HasNoWordSpaces), "ພ", true)]   // Lao
    [InlineData(nameof(Scripts.HasNoWordSpaces), "က", true)]   // Myanmar
    [InlineData(nameof(Scripts.HasNoWordSpaces), "ក", true)]   // Khmer
    [InlineData(nameof(Scripts.HasNoWordSpaces), "한", true)]
    [InlineData(nameof(Scripts.HasNoWordSpaces), "中", true)]
    [InlineData(nameof(Scripts.HasNoWordSpaces), "a", false)]
    [InlineData(nameof(Scripts.HasNoWordSpaces), "я", false)]
    [InlineData(nameof(Scripts.HasNoWordSpaces), "ع", false)]
    public void Han_covers_every_ideograph_block_and_no_word_spaces_covers_cjk_and_southeast_asia(string predicate, string text, bool expected)
    {
        // Proves Han is the widest of the former definitions (the astral extensions and compatibility ideographs count
        // too), and the moderation notion of scripts without word spaces covers CJK and the Southeast Asian scripts and
        // no spaced script.
        Func<int, bool> holds = predicate switch
        {
            nameof(Scripts.IsHan) => Scripts.IsHan,
            nameof(Scripts.HasNoWordSpaces) => Scripts.HasNoWordSpaces,
            _ => throw new ArgumentOutOfRangeException(nameof(predicate), predicate, "no such predicate"),
        };
        Assert.Equal(expected, holds(char.ConvertToUtf32(text, 0)));
    }

    [Theory]
    [InlineData("あ", true, false)]
    [InlineData("カ", true, false)]
    [InlineData("ｶ", true, false)]    // half-width katakana
    [InlineData("ㇰ", true, false)]    // katakana phonetic extension
    [InlineData("한", false, true)]
    [InlineData("ㄱ", false, true)]    // compatibility jamo
    [InlineData("ᄀ", false, true)]    // conjoining jamo
    [InlineData("中", false, false)]
    public void Kana_and_hangul_are_told_apart(string text, bool kana, bool hangul)
    {
        // Proves the Japanese and Korean predicates each take their own script and nothing else.
        var c = char.ConvertToUtf32(text, 0);
        Assert.Equal((kana, hangul), (Scripts.IsKana(c), Scripts.IsHangul(c)));
    }

    [Theory]
    [InlineData("中", true, true)]
    [InlineData("あ", true, true)]
    [InlineData("ㄅ", true, false)]    // bopomofo
    [InlineData("한", true, false)]    // Korean: CJK, but written with spaces between words
    [InlineData("。", false, false)]
    [InlineData("ไ", false, false)]    // Thai is no CJK script
    [InlineData("é", false, false)]
    public void Cjk_is_the_union_and_han_or_kana_leaves_out_korean(string text, bool cjk, bool hanOrKana)
    {
        // Proves IsCjk joins the four scripts and the narrower notion for unspaced text leaves Hangul out.
        var c = char.ConvertToUtf32(text, 0);
        Assert.Equal((cjk, hanOrKana), (Scripts.IsCjk(c), Scripts.IsHanOrKana(c)));
    }

    [Theory]
    [InlineData('。', true)]
    [InlineData('、', true)]
    [InlineData('「', true)]
    [InlineData('！', true)]   // full-width exclamation mark
    [InlineData('〇', false)]  // a Han number, not punctuation
    [InlineData('!', false)]
    [InlineData('中', false)]
    public void Cjk_punctuation_is_apart_from_the_letters(char c, bool expected)
    {
        // Proves punctuation is its own predicate, so a caller that wants letters only never gets "。".
        Assert.Equal(expected, Scripts.IsCjkPunctuation(c));
        Assert.False(Scripts.IsCjkPunctuation(c) && Scripts.IsCjk(c));
    }

    [Fact]
    public void No_surrogate_half_is_in_any_script()
    {
        // Proves a char-based caller never mistakes half of a pair for a letter.
        for (var c = 0xD800; c <= 0xDFFF; c++)
        {
            Assert.False(Scripts.IsCjk(c) || Scripts.IsCjkPunctuation(c) || Scripts.HasNoWordSpaces(c), $"U+{c:X4}");
        }
    }
}
