using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conversations.Api.Errors;

/// <summary>
/// Reads every JSON string of every request body (properties, list items, dictionary keys) and refuses one with a NUL
/// character. Registered once in the HTTP JSON options, so every route, present and future, gets the check; the
/// serializer fills in the JSON path of the offending field. An unpaired surrogate escape (<c>"\ud800"</c>) is refused the
/// same way, instead of the reader's InvalidOperationException.
/// </summary>
internal sealed class StorableStringConverter : JsonConverter<string>
{
    /// <inheritdoc />
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(Text(ref reader));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <inheritdoc />
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Checked(Text(ref reader))!;

    /// <inheritdoc />
    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string? Text(ref Utf8JsonReader reader)
    {
        try { return reader.GetString(); }
        catch (InvalidOperationException) when (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
        {
            // The reader refuses both the same way: bytes that are no UTF-8, and an escape that is no character.
            var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
            throw System.Text.Unicode.Utf8.IsValid(raw) ? new UnstorableTextException(unpairedSurrogate: true) : new UnstorableTextException(invalidUtf8: true);
        }
    }

    private static string? Checked(string? value) => StorableText.IsStorable(value) ? value : throw new UnstorableTextException();
}
