namespace Conversations.Contracts.Chat;

/// <summary>One conversation, key <c>{tenant}/{conversation}</c>: owns its log, summary and recent window, and runs turns.</summary>
[Alias("conversation")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Creates the conversation for its owner; idempotent for the same owner.</summary>
    [Alias("create")]
    Task<ConversationInfo> CreateAsync(Caller caller, string title);

    /// <summary>Returns the conversation when the caller owns it, otherwise null (the API answers 404).</summary>
    [Alias("get")]
    Task<ConversationInfo?> GetAsync(Caller caller);

    /// <summary>Whether the conversation exists and belongs to the caller, from the grain's state (no database read).</summary>
    [Alias("owns")]
    Task<bool> IsOwnedByAsync(Caller caller);

    /// <summary>A page of the stored history, oldest first, older than <paramref name="beforeSeq"/> when given.</summary>
    [Alias("history")]
    Task<HistoryPage?> GetHistoryAsync(Caller caller, long? beforeSeq, int limit);

    /// <summary>Deletes the conversation and its log for its owner; false when not found.</summary>
    [Alias("delete")]
    Task<bool> DeleteAsync(Caller caller);

    /// <summary>Runs one turn and streams its events; the user message is stored before the model is called.</summary>
    [Alias("send")]
    IAsyncEnumerable<ChatEvent> SendAsync(SendMessage message, CancellationToken cancellationToken = default);
}
