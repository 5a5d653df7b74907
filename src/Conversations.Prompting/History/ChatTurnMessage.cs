using Conversations.Prompting.Tokens;

namespace Conversations.Prompting.History;

/// <summary>
/// One stored chat message with its token count, computed once when the message is appended and kept with it,
/// so trimming never re-tokenizes history. <paramref name="Sequence"/> orders messages in a conversation.
/// </summary>
/// <param name="Role">A <see cref="ChatRoles"/> value.</param>
/// <param name="Content">The message text.</param>
/// <param name="TokenCount">Content tokens in the encoding the conversation is counted in.</param>
/// <param name="Sequence">Position in the conversation's message log.</param>
/// <param name="MessageId">The log's id for the message, when it has one.</param>
/// <param name="ImageCount">Images sent with the message, each costing <see cref="MessageTokens.PerImage"/>.</param>
public sealed record ChatTurnMessage(string Role, string Content, int TokenCount, long Sequence = 0, string? MessageId = null, int ImageCount = 0)
{
    /// <summary>Creates a message and counts its tokens once.</summary>
    public static ChatTurnMessage Create(ITokenCounter counter, string role, string content, long sequence = 0, string? messageId = null) =>
        new(role, content, counter.Count(content), sequence, messageId);

    /// <summary>Tokens this message costs inside a prompt, framing and images included.</summary>
    public int PromptTokens => MessageTokens.InPrompt(TokenCount) + ImageTokens;

    /// <summary>The estimated tokens of the message's images.</summary>
    public int ImageTokens => ImageCount * MessageTokens.PerImage;
}
