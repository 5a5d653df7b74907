namespace Conversations.Api.Errors;

/// <summary>
/// A JSON string held text that cannot be stored: a NUL character, an unpaired surrogate escape (<c>\ud800</c> alone
/// is no Unicode character), or bytes that are not UTF-8. <see cref="System.Text.Json.JsonException.Path"/> names the field.
/// </summary>
internal sealed class UnstorableTextException(bool unpairedSurrogate = false, bool invalidUtf8 = false)
    : System.Text.Json.JsonException(invalidUtf8 ? "The text is not valid UTF-8." : unpairedSurrogate ? "The text contains an unpaired surrogate escape." : "The text contains a NUL character (\\u0000).")
{
    /// <summary>True for an unpaired surrogate escape.</summary>
    public bool UnpairedSurrogate { get; } = unpairedSurrogate;

    /// <summary>True for bytes that are no UTF-8 character.</summary>
    public bool InvalidUtf8 { get; } = invalidUtf8;

    /// <summary>The field as a client wrote it (<c>documents[0].content</c>), from the JSON path.</summary>
    public string Field => Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : Path is { Length: > 1 } q ? q : "a text field";

    /// <summary>The problem detail for <see cref="Field"/>.</summary>
    public string Detail => InvalidUtf8 ? StorableText.Utf8Detail(Field)
        : UnpairedSurrogate ? StorableText.SurrogateDetail(Field) : StorableText.NulDetail(Field);
}
