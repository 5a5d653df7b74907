namespace Conversations.Storage.Chat;

/// <summary>The text around a search match, as a conversation list shows it under a title: one line, cut at words.</summary>
public static class SearchSnippet
{
    /// <summary>Characters kept before the match.</summary>
    public const int Before = 40;

    /// <summary>Characters kept from the start of the match.</summary>
    public const int After = 100;

    /// <summary>
    /// The text from about <see cref="Before"/> characters before the match at <paramref name="at"/> to about
    /// <see cref="After"/> after its start, cut at a space where one is near (text without spaces, such as Chinese, is
    /// cut by characters), with "…" where text was left out and runs of white space as one space.
    /// </summary>
    public static string Around(string text, int at, int length)
    {
        var start = Math.Max(0, at - Before);
        var end = Math.Min(text.Length, Math.Max(at + length, at + After));
        if (start > 0)
        {
            var space = text.IndexOf(' ', start, at - start);
            if (space >= 0 && space < at) start = space + 1;
        }
        if (end < text.Length)
        {
            var space = text.LastIndexOf(' ', end - 1, end - (at + length));
            if (space > at + length) end = space;
        }
        // Never split a surrogate pair at either edge.
        if (start > 0 && char.IsLowSurrogate(text[start])) start--;
        if (end < text.Length && char.IsLowSurrogate(text[end])) end++;
        var middle = string.Join(' ', text[start..end].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return (start > 0 ? "…" : "") + middle + (end < text.Length ? "…" : "");
    }
}
