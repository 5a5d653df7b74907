using Orleans.Runtime.Placement.Filtering;
using System.Runtime.CompilerServices;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Grains.Chat.Turn;
using Conversations.Grains.Chat.Turns;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat;

/// <summary>
/// One conversation: its identity and owner, the recent window of its log, and the rule that one turn runs at a time.
/// Each turn is a <see cref="ChatTurn"/> (the stages) run by a <see cref="TurnRun"/>: its own task on this grain's
/// scheduler, writing events into a buffer, so it runs to its end whoever watches. The grain is not reentrant, but the
/// steps of an <c>IAsyncEnumerable</c> watch interleave with other calls, and the turn's task runs between them, so
/// watch, cancel and history are served while a turn runs.
/// </summary>
// Placed in the zone of the silo that first calls it (the API's gateway, or the conversation's silo), so one
// conversation's grains and its user's stay in one zone; anywhere else when that zone has no silo left.
#pragma warning disable ORLEANSEXP004 // silo-metadata placement filters are marked experimental in Orleans 10
[PreferredMatchSiloMetadataPlacementFilter(["zone"], minCandidates: 1)]
#pragma warning restore ORLEANSEXP004
// Idle 10 minutes is past the gaps inside a session, and a return after it costs one ~4 ms reactivation; at a silo's
// CPU ceiling this keeps even full windows within 12 GiB (docs/scaling.md, "Memory per conversation").
[CollectionAgeLimit(Minutes = 10)]
internal sealed class ConversationGrain(
    [PersistentState("conversation", "store")] IPersistentState<ConversationState> state,
    ChatPipeline chat) : Grain, IConversationGrain
{
    private string _tenantId = "";
    private string _conversationId = "";
    private ConversationLog _log = null!;
    private ConversationScope _scope = null!;
    private TurnRun? _running;
    // The last few finished turns, so a resume right after the end replays the exact events.
    private readonly Queue<TurnRun> _finished = new();
    private const int FinishedTurnsKept = 4;
    // How long a question waits for the previous turn's tidying up before it is answered busy.
    private static readonly TimeSpan TidyUpWait = TimeSpan.FromSeconds(30);

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
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken ct)
    {
        // A turn still running here is stopped and recorded as interrupted, not lost with the activation.
        if (_running is { } run)
        {
            run.Abandon();
            // Deactivation's own time may run out first; the activation goes anyway.
            try { await run.Completion.WaitAsync(ct); }
            catch (OperationCanceledException) { }
        }
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
        title = await chat.Moderation.MaskForStorageAsync(_tenantId, title, CancellationToken.None); // a title is stored and listed as a question is
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
        return StoredAnswer.ToHistory(await Store.ReadPageAsync(_tenantId, _conversationId, beforeSeq, limit), limit);
    }

    /// <inheritdoc />
    public async Task<ConversationInfo?> RenameAsync(Caller caller, string title)
    {
        if (!Owns(caller)) return null;
        title = await chat.Moderation.MaskForStorageAsync(_tenantId, title, CancellationToken.None);
        if (!await Store.RenameAsync(_tenantId, _conversationId, title)) return null;
        state.State.Title = title;
        await state.WriteStateAsync();
        return Info(await Store.GetAsync(_tenantId, _conversationId));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(Caller caller)
    {
        if (!Owns(caller)) return false;
        _running?.ConversationDeleted();
        // What the user's memory learned from this conversation goes with it (an evaluation case's taught it nothing).
        List<string> said = Evaluation.EvaluationConversations.Is(_conversationId) ? [] : await Store.ReadQuestionsAsync(_tenantId, _conversationId);
        if (said.Count > 0) await GrainFactory.GetGrain<Contracts.Tenancy.IUserGrain>(GrainKeys.Scoped(_tenantId, state.State.OwnerUserId)).ForgetLearnedFromAsync(said);
        // State first: the store's deletion then removes the cleared state row too, and the next activation starts empty.
        await state.ClearStateAsync();
        await Store.DeleteAsync(_tenantId, _conversationId);
        state.State = new ConversationState();
        _log.Clear();
        this.DeactivateOnIdle();
        return true;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatEvent> SendAsync(SendMessage message, CancellationToken cancellationToken = default) =>
        SendTurnAsync(message, cancellationToken).AsChatEvents(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TurnEventBatch> SendTurnAsync(SendMessage message, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TurnStart? start = await StartTurnAsync(message);
        if (start.StartedNothing) yield return new TurnEventBatch([], start);
        else await foreach (var batch in WatchTurnAsync(message.Caller, start.TurnId, null, cancellationToken))
        {
            yield return batch with { Start = start }; // the first batch only
            start = null;
        }
    }

    /// <inheritdoc />
    public async Task<TurnStart> StartTurnAsync(SendMessage message)
    {
        if (!Owns(message.Caller)) return new TurnStart(TurnStartStatus.NotFound, "");
        var chosen = !string.IsNullOrWhiteSpace(message.ClientTurnId);
        var turnId = chosen ? message.ClientTurnId! : Guid.NewGuid().ToString("n");
        // Any turn id may come again: what was sent with it is kept (keyed), so a retry is told from a new message.
        var fingerprint = await TurnRequests.FingerprintAsync(Store, _tenantId, _conversationId, message);
        var stored = chosen && _running?.TurnId != turnId && FinishedRun(turnId) is null ? await Store.ReadTurnAsync(_tenantId, _conversationId, turnId) : null;
        // Sends interleave (each is a stream's step) and another may have started a turn during the awaits above: from
        // here on only the tidy-up wait awaits, and the loop checks again after it, so one turn id is one turn.
        while (_running is { } running)
        {
            if (running.TurnId == turnId) return new TurnStart(TurnRequests.Retried(running.RequestFingerprint, fingerprint, TurnStartStatus.Running), turnId);
            if (!running.Answered) return new TurnStart(TurnStartStatus.Busy, running.TurnId);
            // The previous answer is out and its stream closed; the turn only tidies up (summary fold, memory), which
            // the next question waits for instead of being refused as busy.
            try { await running.Completion.WaitAsync(TidyUpWait); }
            catch (TimeoutException) { return new TurnStart(TurnStartStatus.Busy, running.TurnId); }
        }
        // A retried send names a turn that already ran: the same turn, never a second question.
        if (chosen && TurnRequests.RetriedFinished(FinishedRun(turnId) is { QuestionStored: true } ran ? ran : null, stored, fingerprint) is { } again) return new TurnStart(again, turnId);
        if (message.Replaces is { } replaced && !_log.EndsWithAnswerOf(replaced)) return new TurnStart(TurnStartStatus.NotLastTurn, replaced);
        if (!Owns(message.Caller)) return new TurnStart(TurnStartStatus.NotFound, ""); // deleted meanwhile
        var unwatched = TimeSpan.FromSeconds(Math.Max(1, chat.Options.UnwatchedTurnSeconds));
        // Idle collection must not take the activation while the turn runs: its task is no grain call.
        DelayDeactivation(unwatched + TimeSpan.FromMinutes(10));
        _running = TurnRun.Start(new ChatTurn(chat, _scope, message with { ClientTurnId = turnId }, fingerprint), unwatched, Finished);
        return new TurnStart(TurnStartStatus.Started, turnId);
    }

    /// <inheritdoc />
    public async Task<TurnState> GetTurnStateAsync(Caller caller, string turnId)
    {
        if (!Owns(caller)) return TurnState.Unknown;
        if (_running?.TurnId == turnId) return TurnState.Running;
        if (FinishedRun(turnId) is not null) return TurnState.Finished;
        return await Store.ReadTurnAsync(_tenantId, _conversationId, turnId) is null ? TurnState.Unknown : TurnState.Finished;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TurnEventBatch> WatchTurnAsync(Caller caller, string turnId, TurnEventId? after,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Owns(caller)) yield break;
        if ((_running?.TurnId == turnId ? _running : FinishedRun(turnId)) is { } run)
        {
            // Events are buffered before any is sent: an id past the buffer's last was never sent (and after the end
            // would wait for nothing). Checked, the position is confirmed by an empty batch, so the API answers 200 or 400.
            if (after is { } claimed && claimed.Index > (run.LastEventId?.Index ?? 0))
                throw new ArgumentException($"Last-Event-ID (or after) {claimed} was never sent: this turn's last event so far is {run.LastEventId?.ToString() ?? "none"}. "
                    + "Resume from an id the stream sent, or without one to replay the whole turn.");
            if (after is not null) yield return new TurnEventBatch([]);
            DelayDeactivation(TimeSpan.FromMinutes(10));
            await foreach (var batch in run.WatchAsync(after?.Index ?? 0, cancellationToken)) yield return batch;
            yield break;
        }
        // Not in memory (another activation ran it): the rest of the stored answer.
        var stored = await Store.ReadTurnAsync(_tenantId, _conversationId, turnId, cancellationToken);
        if (stored is null) yield break;
        if (stored.Answer is null) yield return StoredAnswer.Unanswered(after);
        else yield return new StoredAnswer(stored.Question, stored.Answer,
            await chat.Usage.TurnTotalsAsync(_tenantId, _conversationId, turnId, cancellationToken)).Replay(after);
    }

    /// <inheritdoc />
    public async Task<TurnCancel> CancelTurnAsync(Caller caller, string turnId)
    {
        if (!Owns(caller)) return new TurnCancel(TurnState.Unknown, null);
        if (_running is { } run && run.TurnId == turnId)
        {
            // The turn's task runs on this scheduler between the awaits: wait for it to record the answer. One that had
            // ended already (a Stop that lost the race to done) is only tidying up: no wait, its status says so now.
            if (run.Stop()) await Task.WhenAny(run.Completion, Task.Delay(TimeSpan.FromSeconds(20)));
            return new TurnCancel(TurnState.Running, run.MessageStatus);
        }
        // A turn stopped already (a repeated cancel) says so again: a client retrying a lost cancel learns it worked.
        return new TurnCancel(await GetTurnStateAsync(caller, turnId), FinishedRun(turnId)?.MessageStatus);
    }

    private TurnRun? FinishedRun(string turnId) => _finished.LastOrDefault(r => r.TurnId == turnId); // a resent unstored turn's newest run

    // The turn's task ended: the next turn may start, and the buffer stays for resumes a little longer.
    private void Finished(TurnRun run)
    {
        if (_running == run) _running = null;
        _finished.Enqueue(run);
        while (_finished.Count > FinishedTurnsKept) _finished.Dequeue();
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
