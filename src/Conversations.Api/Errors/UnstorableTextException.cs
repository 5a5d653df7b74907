namespace Conversations.Api.Errors;

/// <summary>A JSON string held a NUL character; <see cref="System.Text.Json.JsonException.Path"/> names the field.</summary>
internal sealed class UnstorableTextException() : System.Text.Json.JsonException("The text contains a NUL character (\\u0000).")
{
    /// <summary>The field as a client wrote it (<c>documents[0].content</c>), from the JSON path.</summary>
    public string Field => Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : Path is { Length: > 1 } q ? q : "a text field";
}
