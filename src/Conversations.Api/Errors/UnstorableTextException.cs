namespace Conversations.Api.Errors;

/// <summary>
/// A JSON string held text that cannot be stored: a NUL character, or an unpaired surrogate escape (<c>\ud800</c>
/// alone is no Unicode character). <see cref="System.Text.Json.JsonException.Path"/> names the field.
/// </summary>
internal sealed class UnstorableTextException(bool unpairedSurrogate = false)
    : System.Text.Json.JsonException(unpairedSurrogate ? "The text contains an unpaired surrogate escape." : "The text contains a NUL character (\\u0000).")
{
    /// <summary>True for an unpaired surrogate escape, false for a NUL character.</summary>
    public bool UnpairedSurrogate { get; } = unpairedSurrogate;

    /// <summary>The field as a client wrote it (<c>documents[0].content</c>), from the JSON path.</summary>
    public string Field => Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : Path is { Length: > 1 } q ? q : "a text field";

    /// <summary>The problem detail for <see cref="Field"/>.</summary>
    public string Detail => UnpairedSurrogate ? StorableText.SurrogateDetail(Field) : StorableText.NulDetail(Field);
}
