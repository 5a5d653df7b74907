namespace Conversations.Api.Errors;

/// <summary>
/// Text the database can store: PostgreSQL's <c>text</c> cannot hold a NUL character (U+0000), so such text is refused
/// at the edge with a 400 that names the field, instead of failing deep inside a store or a grain.
/// </summary>
internal static class StorableText
{
    /// <summary>Longest route value (a path id) the API looks at; longer ones are refused before any handler runs.</summary>
    public const int MaxRouteValueLength = 256;

    /// <summary>True when <paramref name="text"/> holds no character the database refuses.</summary>
    public static bool IsStorable(string? text) => text is null || !text.Contains('\0');

    /// <summary>The problem detail for a field with an unpaired surrogate escape (JSON's <c>\ud800</c> with no partner).</summary>
    public static string SurrogateDetail(string field) =>
        $"{field} contains an unpaired surrogate escape (such as \\ud800 alone), which is not Unicode text and cannot be stored. Send the character itself, or its escaped pair.";

    /// <summary>The problem detail for a field whose bytes are not UTF-8 (a body encoded in another charset).</summary>
    public static string Utf8Detail(string field) =>
        $"{field} holds bytes that are not UTF-8 text. Send the body encoded as UTF-8.";

    /// <summary>The problem detail for a field with a NUL character.</summary>
    public static string NulDetail(string field) =>
        $"{field} contains a NUL character (\\u0000), which cannot be stored. Remove it and send the request again.";
}
