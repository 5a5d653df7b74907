using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Contracts.Chat;
using Conversations.Grains.Chat.Turn;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Chat.Turns;

/// <summary>
/// One running turn and its event buffer. The turn runs as its own task on the grain's scheduler, whoever watches it;
/// watchers read the buffer from any event on and then follow it live. A turn nobody watches for
/// <c>unwatched</c> is stopped (its answer kept as interrupted); <see cref="Stop"/> is the user's cancel.
/// </summary>
internal sealed class TurnRun
{
    private readonly List<TurnEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _unwatched;
    private readonly ChatTurn _turn;
    private TaskCompletionSource _changed = NewSignal();
    private int _watchers;
    private int _chars;
    private int _citations;
    private bool _conversationDeleted;

    private TurnRun(ChatTurn turn, TimeSpan unwatched)
    {
        _turn = turn;
        _unwatched = unwatched;
        _stop.CancelAfter(unwatched); // until the first watcher comes
    }

    /// <summary>The turn's id.</summary>
    public string TurnId => _turn.TurnId;

    /// <summary>The fingerprint of the request that started the turn; null when the platform chose its id.</summary>
    public string? RequestFingerprint => _turn.RequestFingerprint;

    /// <summary>True once the turn's task has ended and its last event is in the buffer.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// True once the buffer holds the turn's last event (done or error). The task may still be tidying up (summary fold,
    /// memory) until <see cref="Ended"/>; watchers are finished with it already.
    /// </summary>
    public bool Answered { get; private set; }

    /// <summary>The id of the last event in the buffer; null before the first.</summary>
    public TurnEventId? LastEventId => _events.Count > 0 && TurnEventId.TryParse(_events[^1].Id, out var id) ? id : null;

    /// <summary>Completes when the turn's task has ended.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Whether the turn stored its question. One that did not (its write failed, or it ended before the write) never
    /// happened as far as a retry is concerned: the same turn id may send the message again.
    /// </summary>
    public bool QuestionStored => _turn.Commit is { IsStored: true };

    /// <summary>The status the turn's answer was stored with; null while it runs, or when it stored none.</summary>
    public string? MessageStatus => _turn.Outcome?.MessageStatusOf();

    /// <summary>Starts <paramref name="turn"/> on the calling grain's scheduler; <paramref name="ended"/> runs after its last event.</summary>
    public static TurnRun Start(ChatTurn turn, TimeSpan unwatched, Action<TurnRun> ended)
    {
        var run = new TurnRun(turn, unwatched);
        run.Completion = run.RunAsync(ended);
        return run;
    }

    /// <summary>The user's cancel: the model call stops, and the partial answer is stored as stopped. False when the turn had ended already.</summary>
    public bool Stop()
    {
        if (Ended || _turn.Outcome is not null) return false;
        _turn.StopRequested = true;
        _stop.Cancel();
        return true;
    }

    /// <summary>
    /// Marks the turn as racing its conversation's deletion: its writes will be refused (the rows they point at are
    /// gone), which is then the expected end of the turn, not a fault to page anyone about.
    /// </summary>
    public void ConversationDeleted()
    {
        _conversationDeleted = true;
        _turn.ConversationGone = true;
    }

    /// <summary>Stops the turn as if nobody watched it (the grain is going away).</summary>
    public void Abandon()
    {
        if (!Ended) _stop.Cancel();
    }

    /// <summary>
    /// The events after number <paramref name="afterIndex"/>, then the live ones until the turn's last event (done or
    /// error), each step all those waiting in the buffer; leaving only stops watching. Ending at that event, not when the
    /// task ends, closes the watcher's stream at once and spares the grain call that would wait for the tidying up.
    /// </summary>
    public async IAsyncEnumerable<TurnEventBatch> WatchAsync(int afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Attach();
        try
        {
            var next = Math.Max(0, afterIndex);
            while (true)
            {
                if (next < _events.Count)
                {
                    var batch = new List<TurnEvent>();
                    var last = false;
                    while (next < _events.Count && !last)
                    {
                        var e = Take(ref next);
                        batch.Add(e);
                        last = e.Event is DoneEvent or ErrorEvent;
                    }
                    yield return new TurnEventBatch(batch);
                    if (last) yield break;
                    continue; // events added while the batch was out are sent before anything else is checked
                }
                if (Ended || Answered) yield break; // nothing comes after the last event, though the task may still be tidying up
                await _changed.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Detach();
        }
    }

    // The event at <paramref name="next"/>, and past it. Deltas already in the buffer together go out as one (one item
    // for the grain call to carry, one SSE event) under the last one's id: that id counts all their text, so a resume
    // from it goes on after all of them, as from the last of them sent apart.
    private TurnEvent Take(ref int next)
    {
        var e = _events[next++];
        if (e.Event is not DeltaEvent first || next == _events.Count || _events[next].Event is not DeltaEvent) return e;
        var text = new StringBuilder(first.Text);
        while (next < _events.Count && _events[next].Event is DeltaEvent delta)
        {
            text.Append(delta.Text);
            e = _events[next++];
        }
        return new TurnEvent(e.Id, new DeltaEvent(text.ToString()));
    }

    private async Task RunAsync(Action<TurnRun> ended)
    {
        try
        {
            await foreach (var e in _turn.RunAsync(_stop.Token)) Add(e);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped by the user or for nobody watching: the turn's end has recorded what was shown.
        }
        catch (Exception e) when (_conversationDeleted)
        {
            TurnRunLog.TurnEndedByDeletion(_turn.Pipeline.Logger, _turn.Conversation.TenantId, _turn.Conversation.ConversationId, e.GetType().Name, e.Message);
        }
        catch (Exception e)
        {
            TurnRunLog.TurnFailed(_turn.Pipeline.Logger, _turn.Conversation.TenantId, _turn.Conversation.ConversationId, e);
        }
        finally
        {
            if (_events.Count == 0 || _events[^1].Event is not (DoneEvent or ErrorEvent))
                // "Stopped before your message was saved" only when it was not: a stored question whose answer could
                // not be saved is an interrupted turn.
                Add(_turn.Final ?? (_turn.Outcome is null && _turn.StopRequested && _turn.Commit?.IsStored != true ? TurnEvents.StoppedUnsaved : TurnEvents.Interrupted));
            Ended = true;
            _stop.Dispose();
            Signal();
            ended(this);
        }
    }

    private void Add(ChatEvent e)
    {
        if (e is DeltaEvent delta) _chars += delta.Text.Length;
        if (e is CitationEvent) _citations++;
        if (e is DoneEvent or ErrorEvent) Answered = true;
        _events.Add(new TurnEvent(new TurnEventId(_events.Count + 1, _chars, _citations).ToString(), e));
        Signal();
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private void Attach()
    {
        if (_watchers++ == 0 && !Ended) _stop.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    private void Detach()
    {
        if (--_watchers == 0 && !Ended) _stop.CancelAfter(_unwatched);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The turn runner's log lines.</summary>
internal static partial class TurnRunLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "A turn of {TenantId}/{ConversationId} failed")]
    public static partial void TurnFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A turn of {TenantId}/{ConversationId} ended because its conversation was deleted while it ran ({ExceptionType}: {Reason})")]
    public static partial void TurnEndedByDeletion(ILogger logger, string tenantId, string conversationId, string exceptionType, string reason);
}
