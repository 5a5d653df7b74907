using System.Text;

namespace Conversations.TestModel.Protocol;

/// <summary>A request message's content: its text (text parts joined) and the URLs of its <c>image_url</c> parts.</summary>
internal sealed record MessageContent(string? Text, IReadOnlyList<string> ImageUrls);

/// <summary>Reads message content given as a string, as null, or as an array of parts (text parts joined, image_url parts kept, others skipped).</summary>
internal sealed class MessageContentJsonConverter : JsonConverter<MessageContent?>
{
    public override bool HandleNull => true;

    public override MessageContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new MessageContent(reader.GetString(), []);
            case JsonTokenType.StartArray:
                return ReadParts(ref reader);
            default:
                throw new JsonException("content must be a string, null or an array of parts");
        }
    }

    public override void Write(Utf8JsonWriter writer, MessageContent? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value?.Text);

    private static MessageContent ReadParts(ref Utf8JsonReader reader)
    {
        var text = new StringBuilder();
        var images = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("content parts must be objects");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "text" && reader.TokenType == JsonTokenType.String)
                {
                    text.Append(reader.GetString());
                }
                else if (name == "image_url" && reader.TokenType == JsonTokenType.StartObject)
                {
                    // {"url": "...", "detail": "..."}: the URL is kept (a data URL for an inline image).
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var field = reader.GetString();
                        reader.Read();
                        if (field == "url" && reader.TokenType == JsonTokenType.String)
                        {
                            images.Add(reader.GetString() ?? "");
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return new MessageContent(text.ToString(), images);
    }
}
