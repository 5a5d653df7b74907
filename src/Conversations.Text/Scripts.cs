namespace Conversations.Text;

/// <summary>
/// Which writing system a code point belongs to, for the scripts the platform treats specially (the CJK scripts, and
/// the Southeast Asian ones that, like Chinese and Japanese, do not mark every word with a space). The one definition
/// of these ranges: every caller asks here, and a caller that needs a narrower notion combines these predicates.
/// </summary>
/// <remarks>Ranges follow the Unicode blocks of each script; a <see cref="char"/> converts to its code point, and a surrogate half is in none.</remarks>
public static class Scripts
{
    /// <summary>Han: CJK unified ideographs with every extension (A to I), compatibility ideographs, radicals, and the iteration and number marks 々 〆 〇.</summary>
    public static bool IsHan(int codePoint) => codePoint is
        (>= 0x2E80 and <= 0x2FDF)       // CJK radicals supplement, Kangxi radicals
        or (>= 0x3005 and <= 0x3007)    // 々 〆 〇
        or (>= 0x3021 and <= 0x3029)    // Hangzhou numerals
        or (>= 0x3038 and <= 0x303B)
        or (>= 0x3400 and <= 0x4DBF)    // extension A
        or (>= 0x4E00 and <= 0x9FFF)    // unified ideographs
        or (>= 0xF900 and <= 0xFAFF)    // compatibility ideographs
        or (>= 0x20000 and <= 0x2FA1F)  // extensions B to F and I, compatibility supplement
        or (>= 0x30000 and <= 0x323AF); // extensions G and H

    /// <summary>Japanese kana: hiragana, katakana (with its phonetic extensions and half-width forms) and the kana supplements.</summary>
    public static bool IsKana(int codePoint) => codePoint is
        (>= 0x3031 and <= 0x3035)       // kana repeat marks
        or (>= 0x3040 and <= 0x30FF)    // hiragana, katakana
        or (>= 0x31F0 and <= 0x31FF)    // katakana phonetic extensions
        or (>= 0xFF66 and <= 0xFF9F)    // half-width katakana
        or (>= 0x1AFF0 and <= 0x1B16F); // kana extended-B, supplement, extended-A, small kana

    /// <summary>Korean Hangul: syllables, conjoining and compatibility jamo (with their extensions) and half-width forms.</summary>
    public static bool IsHangul(int codePoint) => codePoint is
        (>= 0x1100 and <= 0x11FF)       // jamo
        or (>= 0x3130 and <= 0x318F)    // compatibility jamo
        or (>= 0xA960 and <= 0xA97F)    // jamo extended-A
        or (>= 0xAC00 and <= 0xD7FF)    // syllables, jamo extended-B
        or (>= 0xFFA0 and <= 0xFFDC);   // half-width jamo

    /// <summary>Bopomofo, the phonetic symbols of Chinese.</summary>
    public static bool IsBopomofo(int codePoint) => codePoint is (>= 0x3100 and <= 0x312F) or (>= 0x31A0 and <= 0x31BF);

    /// <summary>A character of the CJK scripts: Han, kana, Hangul or Bopomofo (not their punctuation: see <see cref="IsCjkPunctuation"/>).</summary>
    public static bool IsCjk(int codePoint) =>
        codePoint >= 0x1100 && (IsHan(codePoint) || IsKana(codePoint) || IsHangul(codePoint) || IsBopomofo(codePoint));

    /// <summary>
    /// Han or kana: the scripts that put no space between words at all, so a run of them is one "word" to a splitter
    /// that looks for spaces (Korean puts spaces between words, so Hangul is not one of them).
    /// </summary>
    public static bool IsHanOrKana(int codePoint) => IsHan(codePoint) || IsKana(codePoint);

    /// <summary>CJK punctuation and symbols: the CJK symbols and punctuation block (。、「」…), CJK compatibility and vertical forms, and full-width ASCII punctuation.</summary>
    public static bool IsCjkPunctuation(int codePoint) =>
        (codePoint is >= 0x3000 and <= 0x303F && !IsHan(codePoint) && !IsKana(codePoint)) || codePoint is
        (>= 0xFE10 and <= 0xFE1F)       // vertical forms
        or (>= 0xFE30 and <= 0xFE4F)    // CJK compatibility forms
        or (>= 0xFF01 and <= 0xFF0F) or (>= 0xFF1A and <= 0xFF20) or (>= 0xFF3B and <= 0xFF40) or (>= 0xFF5B and <= 0xFF65);

    /// <summary>
    /// A letter of a script in which a space does not mark every word boundary: the CJK scripts (Korean attaches
    /// particles to the word they follow) and Thai, Lao, Myanmar and Khmer. A term of such a script can sit inside
    /// a longer run of letters and still be a word of its own.
    /// </summary>
    public static bool HasNoWordSpaces(int codePoint) => codePoint is
        (>= 0x0E00 and <= 0x0EFF)       // Thai, Lao
        or (>= 0x1000 and <= 0x109F)    // Myanmar
        or (>= 0x1780 and <= 0x17FF)    // Khmer
        or (>= 0x19E0 and <= 0x19FF)    // Khmer symbols
        or (>= 0xA9E0 and <= 0xA9FF) or (>= 0xAA60 and <= 0xAA7F) // Myanmar extensions
        || IsCjk(codePoint);
}
