namespace Conversations.Prompting.History;

/// <summary>
/// One turn: a user message and the assistant replies that follow it, oldest first. Trimming and folding move whole
/// turns only, so the model never sees an answer without its question.
/// </summary>
/// <param name="Messages">The turn's messages in order; the first is the user message unless the turn opens the conversation with an assistant greeting.</param>
public sealed record ConversationTurn(IReadOnlyList<ChatTurnMessage> Messages)
{
    /// <summary>The user message that opens the turn, if any.</summary>
    public ChatTurnMessage? User => Messages.Count > 0 && Messages[0].Role == ChatRoles.User ? Messages[0] : null;

    /// <summary>The last assistant reply in the turn, if any.</summary>
    public ChatTurnMessage? Assistant => Messages.LastOrDefault(m => m.Role == ChatRoles.Assistant);

    /// <summary>Tokens the whole turn costs inside a prompt, framing included.</summary>
    public int TokenCount => Messages.Sum(m => m.PromptTokens);

    /// <summary>Sequence of the turn's first message.</summary>
    public long FirstSequence => Messages.Count == 0 ? 0 : Messages[0].Sequence;

    /// <summary>Sequence of the turn's last message.</summary>
    public long LastSequence => Messages.Count == 0 ? 0 : Messages[^1].Sequence;

    /// <summary>A turn of one user message and its reply.</summary>
    public static ConversationTurn Of(ChatTurnMessage user, ChatTurnMessage? assistant) =>
        new(assistant is null ? [user] : [user, assistant]);

    /// <summary>Groups a message list (oldest first) into turns: each user message starts a new turn.</summary>
    public static IReadOnlyList<ConversationTurn> Group(IEnumerable<ChatTurnMessage> messages)
    {
        var turns = new List<ConversationTurn>();
        var current = new List<ChatTurnMessage>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRoles.User && current.Count > 0)
            {
                turns.Add(new ConversationTurn(current.ToArray()));
                current.Clear();
            }
            current.Add(message);
        }
        if (current.Count > 0) turns.Add(new ConversationTurn(current.ToArray()));
        return turns;
    }
}
