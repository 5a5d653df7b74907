namespace Conversations.Prompting.Tokens;

/// <summary>Cuts text to a token budget; the generic paths work with any counter by binary search on characters.</summary>
internal static class TokenTruncation
{
    /// <summary>Put where text was cut out of a message, so the model knows something is missing.</summary>
    public const string Marker = "\n[… truncated …]\n";

    /// <summary>Longest prefix of <paramref name="text"/> within <paramref name="maxTokens"/>, found by binary search.</summary>
    public static string KeepStartBySearch(ITokenCounter counter, string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        if (counter.Count(text) <= maxTokens) return text;
        int lo = 0, hi = text.Length; // invariant: prefix of length lo fits
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (counter.Count(text[..SafeCut(text, mid)]) <= maxTokens) lo = mid; else hi = mid - 1;
        }
        return text[..SafeCut(text, lo)];
    }

    /// <summary>Longest suffix of <paramref name="text"/> within <paramref name="maxTokens"/>, found by binary search.</summary>
    public static string KeepEndBySearch(ITokenCounter counter, string text, int maxTokens)
    {
        if (maxTokens <= 0 || text.Length == 0) return "";
        if (counter.Count(text) <= maxTokens) return text;
        int lo = 0, hi = text.Length; // invariant: suffix of length lo fits
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (counter.Count(text[SafeStart(text, text.Length - mid)..]) <= maxTokens) lo = mid; else hi = mid - 1;
        }
        return text[SafeStart(text, text.Length - lo)..];
    }

    /// <summary>
    /// Fits <paramref name="text"/> in <paramref name="maxTokens"/> by keeping its head and tail around <see cref="Marker"/>
    /// (a long paste usually ends with the actual question); returns the text unchanged when it already fits.
    /// </summary>
    public static string TruncateMiddle(ITokenCounter counter, string text, int maxTokens)
    {
        if (counter.Count(text) <= maxTokens) return text;
        var markerTokens = counter.Count(Marker);
        if (maxTokens <= markerTokens + 2) return counter.KeepStart(text, Math.Max(0, maxTokens));
        var room = maxTokens - markerTokens;
        // Joining pieces can merge or split a token at the seams, so shrink until the whole really fits.
        for (var slack = 0; slack < room; slack += Math.Max(1, room / 16))
        {
            var head = counter.KeepStart(text, (room - slack) * 2 / 3);
            var tail = counter.KeepEnd(text[head.Length..], room - slack - counter.Count(head));
            var joined = head + Marker + tail;
            if (counter.Count(joined) <= maxTokens) return joined;
        }
        return counter.KeepStart(text, maxTokens);
    }

    // A cut must not split a UTF-16 surrogate pair.
    private static int SafeCut(string text, int length) =>
        length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;

    private static int SafeStart(string text, int start) =>
        start > 0 && start < text.Length && char.IsLowSurrogate(text[start]) ? start + 1 : start;
}
