namespace Conversations.Text.Tests;

public sealed class ScriptsTests
{
    public static TheoryData<string, bool> HanChars => new()
    {
        { "中", true }, // unified ideographs
        { "㐀", true }, // extension A
        { "𠮷", true }, // extension B, outside the basic plane
        { "𰀀", true }, // extension G
        { "豈", true }, // compatibility ideograph
        { "々", true }, // iteration mark
        { "あ", false }, { "한", false }, { "a", false }, { "。", false },
    };

    public static TheoryData<string, bool> UnspacedScriptChars => new()
    {
        { "ภ", true }, { "ພ", true }, { "က", true }, { "ក", true }, // Thai, Lao, Myanmar, Khmer
        { "한", true }, { "中", true },
        { "a", false }, { "я", false }, { "ع", false },
    };

    [Theory]
    [MemberData(nameof(HanChars))]
    public void Han_covers_every_ideograph_block(string text, bool expected)
    {
        // Proves Han is the widest of the former definitions: the astral extensions and compatibility ideographs count too.
        Assert.Equal(expected, Scripts.IsHan(char.ConvertToUtf32(text, 0)));
    }

    [Theory]
    [MemberData(nameof(UnspacedScriptChars))]
    public void No_word_spaces_covers_cjk_and_southeast_asia(string text, bool expected)
    {
        // Proves the moderation notion of scripts without word spaces covers CJK and the Southeast Asian scripts and no
        // spaced script.
        Assert.Equal(expected, Scripts.HasNoWordSpaces(char.ConvertToUtf32(text, 0)));
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
