using System.Runtime.CompilerServices;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Grains.Chat.Turn;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat;

/// <summary>
/// One conversation: its identity and owner, the recent window of its log, and the rule that one turn runs at a time.
/// Not reentrant: its calls run one at a time, and a turn streams through an <c>IAsyncEnumerable</c> whose steps
/// interleave with other calls, so <see cref="_turnRunning"/> allows one turn at a time. Each turn is a
/// <see cref="ChatTurn"/>, which runs the stages.
/// </summary>
public sealed class ConversationGrain(
    [PersistentState("conversation", "store")] IPersistentState<ConversationState> state,
    ChatPipeline chat) : Grain, IConversationGrain
{
    private string _tenantId = "";
    private string _conversationId = "";
    private ConversationLog _log = null!;
    private ConversationScope _scope = null!;
    private bool _turnRunning;

    private ConversationStore Store => chat.Store;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken ct)
    {
        (_tenantId, _conversationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        _log = new ConversationLog(Store, _tenantId, _conversationId, chat.Options.RecentWindowMessages);
        // The prompt's inputs (user memory, prompt builder) live as long as the activation, like the window.
        _scope = new ConversationScope(_tenantId, _conversationId, state, _log, new ConversationPrompt(chat.Tokens, chat.Options), GrainFactory);
        if (!state.State.Exists) return;
        await _log.LoadAsync(state.State.SummarizedThroughSeq, ct);
        await _log.CloseDanglingTurnAsync(ct);
    }

    /// <inheritdoc />
    public async Task<ConversationInfo> CreateAsync(Caller caller, string title)
    {
        EnsureTenant(caller);
        if (state.State.Exists)
        {
            if (state.State.OwnerUserId != caller.UserId)
                throw new InvalidOperationException("The conversation id is taken.");
            return Info(await Store.GetAsync(_tenantId, _conversationId));
        }
        var row = await Store.CreateAsync(_tenantId, _conversationId, caller.UserId, title);
        if (row.UserId != caller.UserId) throw new InvalidOperationException("The conversation id is taken.");
        state.State = new ConversationState { Exists = true, OwnerUserId = caller.UserId, Title = title, CreatedAt = row.CreatedAt };
        await state.WriteStateAsync();
        return Info(row);
    }

    /// <inheritdoc />
    public async Task<ConversationInfo?> GetAsync(Caller caller)
    {
        if (!Owns(caller)) return null;
        return Info(await Store.GetAsync(_tenantId, _conversationId));
    }

    /// <inheritdoc />
    public Task<bool> IsOwnedByAsync(Caller caller) => Task.FromResult(Owns(caller));

    /// <inheritdoc />
    public async Task<HistoryPage?> GetHistoryAsync(Caller caller, long? beforeSeq, int limit)
    {
        if (!Owns(caller)) return null;
        limit = Math.Clamp(limit, 1, 200);
        var page = await Store.ReadPageAsync(_tenantId, _conversationId, beforeSeq, limit);
        var messages = page.Select(m => new MessageInfo(m.Seq, m.TurnId, m.Role, m.Content, m.Status, m.CreatedAt, m.Model)).ToList();
        long? next = page.Count == limit && page[0].Seq > 1 ? page[0].Seq : null;
        return new HistoryPage(messages, next);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(Caller caller)
    {
        if (!Owns(caller)) return false;
        await Store.DeleteAsync(_tenantId, _conversationId);
        await state.ClearStateAsync();
        state.State = new ConversationState();
        _log.Clear();
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> SendAsync(SendMessage message, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Owns(message.Caller))
        {
            yield return new ErrorEvent("not_found", "This conversation does not exist.", false);
            yield break;
        }
        if (_turnRunning)
        {
            yield return new ErrorEvent("turn_in_progress", "The previous answer in this conversation is still being written. Wait for it to finish, then send again.", true);
            yield break;
        }
        _turnRunning = true;
        try
        {
            await foreach (var e in new ChatTurn(chat, _scope, message).RunAsync(cancellationToken)) yield return e;
        }
        finally
        {
            _turnRunning = false; // even when the turn's bookkeeping throws: a stuck flag would refuse every later turn
        }
    }

    private bool Owns(Caller caller) =>
        caller.TenantId == _tenantId && state.State.Exists && state.State.OwnerUserId == caller.UserId;

    private void EnsureTenant(Caller caller)
    {
        if (caller.TenantId != _tenantId) throw new UnauthorizedAccessException("Caller and conversation belong to different tenants.");
    }

    private ConversationInfo Info(ConversationRecord? row) => row is null
        ? new ConversationInfo(_conversationId, state.State.Title, state.State.CreatedAt, state.State.CreatedAt, 0)
        : new ConversationInfo(row.ConversationId, row.Title, row.CreatedAt, row.UpdatedAt, row.MessageCount);
}
