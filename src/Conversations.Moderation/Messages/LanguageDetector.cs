namespace Conversations.Moderation.Messages;

/// <summary>Decides whether a question is Chinese or English, for choosing the message language.</summary>
public static class LanguageDetector
{
    /// <summary>Chinese.</summary>
    public const string Chinese = "zh";

    /// <summary>English (also the fallback).</summary>
    public const string English = "en";

    /// <summary>"zh" when CJK ideographs make up a fair share of the letters (one ideograph ≈ a short word), else "en".</summary>
    public static string Detect(ReadOnlySpan<char> text)
    {
        int cjk = 0, latin = 0;
        foreach (var c in text)
        {
            if (c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF')
                cjk++;
            else if (char.IsAsciiLetter(c))
                latin++;
        }
        return cjk > 0 && cjk * 4 >= latin ? Chinese : English;
    }
}
