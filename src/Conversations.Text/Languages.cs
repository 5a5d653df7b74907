namespace Conversations.Text;

/// <summary>Chinese or English: the one rule for the language a reply, refusal or extractive answer is given in.</summary>
public static class Languages
{
    /// <summary>Chinese.</summary>
    public const string Chinese = "zh";

    /// <summary>English (also the fallback).</summary>
    public const string English = "en";

    /// <summary>True when Han characters make up a fair share of the letters (one ideograph ≈ a short English word).</summary>
    public static bool IsChinese(ReadOnlySpan<char> text)
    {
        int han = 0, latin = 0;
        foreach (var c in text)
        {
            if (Scripts.IsHan(c)) han++;
            else if (char.IsAsciiLetter(c)) latin++;
        }
        return han > 0 && han * 4 >= latin;
    }

    /// <summary><see cref="Chinese"/> when <see cref="IsChinese"/>, else <see cref="English"/>.</summary>
    public static string Detect(ReadOnlySpan<char> text) => IsChinese(text) ? Chinese : English;
}
