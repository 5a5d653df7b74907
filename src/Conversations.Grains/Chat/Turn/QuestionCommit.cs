using Conversations.Contracts.Chat;
using Conversations.Contracts.Encryption;
using Conversations.Prompting.History;
using Conversations.Prompting.Tokens;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 1's gate: the question is stored before the user sees anything of the answer. Its write runs while the turn
/// goes on; <see cref="PassAsync"/> releases "received" once it has committed, or ends the turn when it failed.
/// </summary>
internal sealed class QuestionCommit(MessageRecord question, Task write)
{
    private static readonly ProgressEvent Received = new("received", "Got your message.");
    private bool? _stored;

    /// <summary>The question as stored.</summary>
    public MessageRecord Question => question;

    /// <summary>The question's write (traces note when it ends).</summary>
    public Task Write => write;

    /// <summary>True once the gate was passed or failed; false while the write may still be in flight.</summary>
    public bool IsSettled => _stored is not null;

    /// <summary>True when the question's write has committed (whether or not the gate has looked yet).</summary>
    public bool IsStored => _stored ?? write.IsCompletedSuccessfully;

    /// <summary>
    /// Starts writing <paramref name="text"/> (with the ids of the images it carried, and the fingerprint of the request
    /// that sent it) as the conversation's next message, replacing the turn <paramref name="replacesTurnId"/> when given.
    /// </summary>
    public static QuestionCommit Start(ConversationLog log, string turnId, string text, ITokenCounter tokens, IReadOnlyList<string>? imageIds = null,
        string? requestFingerprint = null, string? replacesTurnId = null)
    {
        var question = log.Next(turnId, ChatRoles.User, text, MessageStatus.Complete, tokens.Count(text), null)
            with { ImageIds = imageIds is { Count: > 0 } ? imageIds : null, RequestFingerprint = requestFingerprint };
        return new QuestionCommit(question, log.AppendQuestion(question, replacesTurnId));
    }

    /// <summary>Whether the question was stored, waiting for its write.</summary>
    public async Task<bool> StoredAsync() => _stored ??= await CompletesAsync(write);

    /// <summary>
    /// The gate: once the write has finished (waiting for it when <paramref name="wait"/>), yields "received", or ends
    /// the turn as <see cref="TurnOutcome.QuestionNotStored"/>. Yields nothing when already settled, or when the write
    /// is still in flight and not waited for.
    /// </summary>
    public async IAsyncEnumerable<ChatEvent> PassAsync(ChatTurn turn, bool wait)
    {
        if (_stored is not null || (!wait && !write.IsCompleted)) yield break;
        if (await StoredAsync())
        {
            await ForgetReplacedAsync(turn);
            await TitleByQuestionAsync(turn);
            yield return Received;
            yield break;
        }
        await NotStoredAsync(turn);
        yield return write.Exception?.InnerException switch
        {
            // A destroyed data key never comes back: no retry.
            TenantDataUnreadableException destroyed => new ErrorEvent(TurnErrorCodes.DataDestroyed, destroyed.Message, false),
            // The conversation was deleted while its question was on the way (its row is gone): a retry would not help.
            Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.ForeignKeyViolation } =>
                new ErrorEvent(TurnErrorCodes.NotFound, "This conversation was deleted, so your message was not sent.", false),
            _ => new ErrorEvent(TurnErrorCodes.StorageUnavailable, "We couldn't save your message, so it was not sent. Please try again in a moment.", true),
        };
    }

    /// <summary>
    /// The question's write failed: the turn forgets it and ends with no message (nothing was shown after it). A model
    /// call started beside the write is still billed for what it produced, in usage rows of their own.
    /// </summary>
    public async Task NotStoredAsync(ChatTurn turn)
    {
        turn.Outcome = TurnOutcome.QuestionNotStored;
        turn.Conversation.Log.Forget(question);
        await turn.Calls.StopAsync();
        if (turn.Route is not { } route) return;
        var attempts = turn.Calls.Attempts;
        var cost = await route.FinishAsync(attempts, turn.Answer.ModelName, TurnBilling.Usage(attempts) ?? TurnUsage.None, "", false);
        await RecordStage.WriteUsageAsync(turn, TurnBilling.Rows(turn.Conversation.TenantId, turn.Caller.UserId, turn.Conversation.ConversationId,
            turn.TurnId, attempts, cost, null, turn.StartedAt));
    }

    // What the user's memory learned from a replaced question goes with it, as with a deleted conversation: the user
    // took it back, and it must not reach later prompts. The question is stored either way: a failure is logged, and
    // the turn goes on.
    private static async Task ForgetReplacedAsync(ChatTurn turn)
    {
        var said = turn.Conversation.Log.Replaced.Where(m => m.Role == ChatRoles.User).Select(m => m.Content).ToList();
        if (said.Count == 0) return;
        try { await turn.Conversation.User(turn.Caller.UserId).ForgetLearnedFromAsync(said); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ChatLog.ForgetFailed(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, e);
        }
    }

    // A conversation the OpenAI-compatible route made for a request that named none is titled by its first question, as
    // the chat titles a new one, so a user's API calls are told apart in their list. The text is the question as stored
    // (personal data masked as the tenant's policy says); a refused question keeps the placeholder.
    private async Task TitleByQuestionAsync(ChatTurn turn)
    {
        var state = turn.Conversation.State;
        if (question.Seq != 1 || state.State.Title != ConversationTitles.OneOff || !turn.Moderation.Verdict.Allowed) return;
        var title = ConversationTitles.FromQuestion(question.Content);
        if (title.Length == 0) return;
        try
        {
            if (!await turn.Pipeline.Store.RenameAsync(turn.Conversation.TenantId, turn.Conversation.ConversationId, title)) return;
            state.State.Title = title;
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ChatLog.RetitleFailed(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, e);
        }
    }

    private static async Task<bool> CompletesAsync(Task task)
    {
        try
        {
            await task;
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
