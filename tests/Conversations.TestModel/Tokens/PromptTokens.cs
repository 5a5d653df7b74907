namespace Conversations.TestModel.Tokens;

/// <summary>Lays a chat prompt out as one token sequence the way chat templates do, so equal prefixes give equal ids.</summary>
internal static class PromptTokens
{
    /// <summary>Tokens a provider adds to prime the reply (OpenAI counts three).</summary>
    public const int ReplyPriming = 3;

    // Marker ids sit above every real vocabulary id so they never collide with text tokens.
    private const int MessageStart = 10_000_000;
    private const int MessageEnd = 10_000_001;
    private const int RoleBase = 10_000_100;

    /// <summary>Encodes the messages into a pooled buffer; the caller returns it with <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static int[] Encode(ITokenEncoder encoder, IReadOnlyList<PromptMessage> messages, out int length)
    {
        var parts = new int[messages.Count][];
        var total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            parts[i] = encoder.Encode(messages[i].Content);
            total += parts[i].Length + 3;
        }

        var buffer = ArrayPool<int>.Shared.Rent(Math.Max(1, total));
        var at = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            buffer[at++] = MessageStart;
            buffer[at++] = RoleBase + RoleId(messages[i].Role);
            parts[i].CopyTo(buffer, at);
            at += parts[i].Length;
            buffer[at++] = MessageEnd;
        }

        length = total;
        return buffer;
    }

    private static int RoleId(string role) => role switch
    {
        "system" => 0,
        "developer" => 1,
        "user" => 2,
        "assistant" => 3,
        "tool" => 4,
        _ => 5 + (int)(AnswerComposer.StableHash(role) % 1000),
    };
}
