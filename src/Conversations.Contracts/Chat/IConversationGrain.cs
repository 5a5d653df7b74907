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

    /// <summary>Renames the conversation for its owner; null when not found (the API answers 404).</summary>
    [Alias("rename")]
    Task<ConversationInfo?> RenameAsync(Caller caller, string title);

    /// <summary>Deletes the conversation and its log for its owner; false when not found.</summary>
    [Alias("delete")]
    Task<bool> DeleteAsync(Caller caller);

    /// <summary>
    /// Starts or joins the turn and streams its events from the beginning; the user message is stored before the model is
    /// called. Cancelling <paramref name="cancellationToken"/> means this watcher left: the turn goes on.
    /// </summary>
    [Alias("send")]
    IAsyncEnumerable<ChatEvent> SendAsync(SendMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a turn that runs to its end whoever watches it. The message's turn id makes it idempotent: the same id
    /// joins the running turn or names the finished one, and never stores a second question.
    /// </summary>
    [Alias("start-turn")]
    Task<TurnStart> StartTurnAsync(SendMessage message);

    /// <summary>
    /// Starts the turn as <see cref="StartTurnAsync"/> does and watches it in the same call: the first batch carries the
    /// start's answer (with the first events when it started or joined). Busy or not found: that batch is the only one.
    /// Cancelling <paramref name="cancellationToken"/> only stops watching.
    /// </summary>
    [Alias("send-turn")]
    IAsyncEnumerable<TurnEventBatch> SendTurnAsync(SendMessage message, CancellationToken cancellationToken = default);

    /// <summary>Whether the caller's conversation has this turn, and whether it still runs.</summary>
    [Alias("turn-state")]
    Task<TurnState> GetTurnStateAsync(Caller caller, string turnId);

    /// <summary>
    /// The turn's events after <paramref name="after"/> (all when null), then the live ones until the turn ends; from the
    /// stored answer when the turn is no longer in memory. Cancelling <paramref name="cancellationToken"/> only stops watching.
    /// </summary>
    [Alias("watch-turn")]
    IAsyncEnumerable<TurnEventBatch> WatchTurnAsync(Caller caller, string turnId, TurnEventId? after, CancellationToken cancellationToken = default);

    /// <summary>Stops a running turn: the model call ends, and the partial answer is stored as stopped and billed.</summary>
    [Alias("cancel-turn")]
    Task<TurnCancel> CancelTurnAsync(Caller caller, string turnId);
}
