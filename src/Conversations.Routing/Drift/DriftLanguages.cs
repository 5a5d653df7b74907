using System.Text;
using Conversations.Text;

namespace Conversations.Routing.Drift;

/// <summary>
/// The language bucket of a question for the drift sketch, told by its script: Chinese, Japanese, Korean, Cyrillic,
/// Arabic, or Latin-script (English and the other European languages share one bucket: telling them apart needs a
/// language model the platform does not ship).
/// </summary>
public static class DriftLanguages
{
    /// <summary>Every bucket, in the order the sketch counts them.</summary>
    public static readonly IReadOnlyList<string> Buckets = ["latin", "zh", "ja", "ko", "cyrillic", "arabic", "other"];

    /// <summary>The bucket of <paramref name="text"/>.</summary>
    public static string Of(string text)
    {
        int latin = 0, han = 0, kana = 0, hangul = 0, cyrillic = 0, arabic = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var c = rune.Value;
            if (Scripts.IsKana(c)) kana++;
            else if (Scripts.IsHangul(c)) hangul++;
            else if (Scripts.IsHan(c)) han++;
            else if (c is >= 0x0400 and <= 0x04FF) cyrillic++;
            else if (c is >= 0x0600 and <= 0x06FF) arabic++;
            else if (Rune.IsLetter(rune) && c < 0x0250) latin++;
        }
        if (kana > 0 && kana + han >= latin) return "ja";
        if (hangul > 0 && hangul >= latin) return "ko";
        if (Languages.IsChinese(text)) return "zh";
        if (cyrillic > latin) return "cyrillic";
        if (arabic > latin) return "arabic";
        return latin > 0 ? "latin" : "other";
    }

    /// <summary>The bucket's index in <see cref="Buckets"/>.</summary>
    public static int IndexOf(string bucket)
    {
        for (var i = 0; i < Buckets.Count; i++)
            if (Buckets[i] == bucket) return i;
        return Buckets.Count - 1;
    }
}
