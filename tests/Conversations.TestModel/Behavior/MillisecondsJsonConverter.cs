namespace Conversations.TestModel.Behavior;

/// <summary>Reads and writes a <see cref="TimeSpan"/> as a number of milliseconds, the unit the control API speaks.</summary>
public sealed class MillisecondsJsonConverter : JsonConverter<TimeSpan>
{
    /// <summary>Reads milliseconds (a number, or a "hh:mm:ss" string for convenience).</summary>
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? TimeSpan.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : TimeSpan.FromMilliseconds(reader.GetDouble());

    /// <summary>Writes the span as milliseconds.</summary>
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.TotalMilliseconds);
}
