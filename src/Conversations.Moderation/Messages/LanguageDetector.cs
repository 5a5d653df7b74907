using Conversations.Text;

namespace Conversations.Moderation.Messages;

/// <summary>Decides whether a question is Chinese or English, for choosing the message language.</summary>
internal static class LanguageDetector
{
    /// <summary>Chinese.</summary>
    public const string Chinese = "zh";

    /// <summary>English (also the fallback).</summary>
    public const string English = "en";

    /// <summary>"zh" when Han characters make up a fair share of the letters (one ideograph ≈ a short word), else "en".</summary>
    public static string Detect(ReadOnlySpan<char> text)
    {
        int cjk = 0, latin = 0;
        foreach (var c in text)
        {
            if (Scripts.IsHan(c))
                cjk++;
            else if (char.IsAsciiLetter(c))
                latin++;
        }
        return cjk > 0 && cjk * 4 >= latin ? Chinese : English;
    }
}
