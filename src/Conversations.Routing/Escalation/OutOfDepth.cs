namespace Conversations.Routing.Escalation;

/// <summary>
/// Reads the opening of a small model's answer for signs that it is out of its depth: the marker its prompt asks it
/// to write when unsure, a refusal or "I'm not sure" (English and Chinese), or an answer cut at the output cap
/// before it got anywhere. The turn holds back that opening, so an answer showing one of these is replaced by the
/// large model's before the user sees it.
/// </summary>
public static class OutOfDepth
{
    /// <summary>The marker the small model is asked to answer with when it cannot answer reliably.</summary>
    public const string Marker = "[[unsure]]";

    /// <summary>Characters of the opening held back and read; markers and refusals come first, and the hold adds its streaming time to time-to-first-token.</summary>
    public const int HoldChars = 96;

    /// <summary>The instruction added (last, so the cacheable prefix is unchanged) to the small model's request.</summary>
    public const string Instruction =
        "If you cannot answer this question reliably (it needs multi-step reasoning, calculation or expertise you are not confident in), reply with exactly " + Marker + " and nothing else.";

    private static readonly string[] English =
    [
        "i'm not sure", "i am not sure", "i’m not sure", "i'm not certain", "i am not certain", "i don't know", "i do not know",
        "i’m unable", "i'm unable", "i am unable", "i can't answer", "i cannot answer", "i can’t answer", "i cannot help with",
        "i can't help with", "beyond my ability", "beyond my capabilities", "not confident", "i cannot determine", "i can't determine",
    ];

    private static readonly string[] Chinese = ["我不确定", "不太确定", "我不知道", "无法回答", "我无法", "超出了我的", "我不清楚", "不能确定"];

    /// <summary>Why <paramref name="opening"/> shows the model out of its depth, or null when it does not.</summary>
    /// <param name="opening">The answer's first characters (up to <see cref="HoldChars"/>, or all of it when it ended sooner).</param>
    /// <param name="ended">Whether the answer ended within the opening.</param>
    /// <param name="hitOutputCap">Whether it ended at the output token cap.</param>
    public static string? Check(string opening, bool ended, bool hitOutputCap)
    {
        ArgumentNullException.ThrowIfNull(opening);
        if (opening.Contains(Marker, StringComparison.OrdinalIgnoreCase)) return "low-confidence marker";
        var lower = opening.ToLowerInvariant();
        foreach (var phrase in English)
            if (lower.Contains(phrase, StringComparison.Ordinal)) return $"unsure: \"{phrase}\"";
        foreach (var phrase in Chinese)
            if (opening.Contains(phrase, StringComparison.Ordinal)) return $"unsure: \"{phrase}\"";
        if (ended && hitOutputCap) return "cut at the output cap within its opening";
        if (ended && opening.Trim().Length == 0) return "empty answer";
        return null;
    }
}
