namespace Conversations.TestModel.Protocol;

/// <summary>The fields of an OpenAI embeddings request the test server reads.</summary>
internal sealed class EmbeddingRequestBody
{
    public string? Model { get; set; }

    [JsonConverter(typeof(EmbeddingInputJsonConverter))]
    public List<string>? Input { get; set; }

    public int? Dimensions { get; set; }
    public string? EncodingFormat { get; set; }
}

/// <summary>Reads <c>input</c> given as one string or an array of strings (token-id inputs are rejected).</summary>
internal sealed class EmbeddingInputJsonConverter : JsonConverter<List<string>?>
{
    public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [reader.GetString()!];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("input must be a string or an array of strings");
        }

        var inputs = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("the test server accepts only text inputs");
            }

            inputs.Add(reader.GetString()!);
        }

        return inputs;
    }

    public override void Write(Utf8JsonWriter writer, List<string>? value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, ProtocolJsonContext.Default.ListString);
}
