using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;

namespace Conversations.Models.Chat;

/// <summary>
/// Adds OpenAI's <c>prompt_cache_key</c> to a chat request, with the value of the request's <c>user</c> field (the
/// conversation's stable key), so the provider routes a conversation's prompts to the machine that holds its cached
/// prefix. The connector cannot set the field itself; providers that reject unknown fields must not get it, so it is
/// opt-in (<see cref="ChatModelOptions.SendPromptCacheKey"/>).
/// </summary>
internal sealed class PromptCacheKeyPolicy : PipelinePolicy
{
    private static readonly byte[] Field = Encoding.UTF8.GetBytes("\"prompt_cache_key\":");

    /// <inheritdoc />
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        AddKey(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        AddKey(message);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static void AddKey(PipelineMessage message)
    {
        if (message.Request.Content is not { } content) return;
        using var buffer = new MemoryStream();
        content.WriteTo(buffer);
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (WithKey(body) is { } rewritten) message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(rewritten));
    }

    /// <summary>The body with <c>"prompt_cache_key"</c> set to its top-level <c>"user"</c> string; null when there is none or the key is already there.</summary>
    public static byte[]? WithKey(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        var objectStart = (int)reader.TokenStartIndex;
        ReadOnlySpan<byte> user = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUser = reader.ValueTextEquals("user"u8);
            if (reader.ValueTextEquals("prompt_cache_key"u8)) return null;
            reader.Read();
            if (isUser && reader.TokenType == JsonTokenType.String)
                user = body.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2); // the string token, quotes and escapes as written
            else
                reader.Skip();
        }
        if (user.IsEmpty) return null;
        // Insert right after the opening brace: `{"prompt_cache_key":"…",` followed by the original members.
        var output = new byte[body.Length + Field.Length + user.Length + 1];
        var at = objectStart + 1;
        body[..at].CopyTo(output);
        Field.CopyTo(output.AsSpan(at));
        at += Field.Length;
        user.CopyTo(output.AsSpan(at));
        at += user.Length;
        output[at++] = (byte)',';
        body[(objectStart + 1)..].CopyTo(output.AsSpan(at));
        return output;
    }
}
