using Conversations.Contracts.Chat;
using Conversations.Prompting.History;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turns;

/// <summary>
/// A finished turn read back from the log: replays what a client has not seen yet, with event ids that go on from the
/// client's last one, so a resume after the grain moved or was deactivated ends with the same text as an uncut stream.
/// </summary>
internal sealed record StoredAnswer(MessageRecord Question, MessageRecord Answer, TurnUsageTotals Usage)
{
    // Far above any turn's event count, far below where numbering on from it would overflow.
    private const int MaxResumeIndex = 1_000_000_000;

    /// <summary>Whether an answer of this status carries answer text (the others store an error message).</summary>
    public bool HasAnswerText => Answer.Status is MessageStatus.Complete or MessageStatus.Stopped or MessageStatus.Incomplete or MessageStatus.Interrupted;

    /// <summary>A question stored without an answer (its turn was cut off): one event saying it was interrupted.</summary>
    public static TurnEventBatch Unanswered(TurnEventId? after)
    {
        CheckIndex(after);
        return new([new TurnEvent(new TurnEventId((after?.Index ?? 0) + 1, after?.Chars ?? 0, after?.Citations ?? 0).ToString(), TurnEvents.Interrupted)]);
    }

    /// <summary>The events after <paramref name="after"/>, in one batch: the citations and text the client lacks, then the final event.</summary>
    public TurnEventBatch Replay(TurnEventId? after)
    {
        // A position past a complete answer's text or citations was never sent: the client would take the final event
        // as the end of an answer it does not have. (An answer cut by a crash may be stored shorter than what was sent.)
        CheckIndex(after);
        var text = HasAnswerText ? Answer.Content : "";
        if (after is { } a && Answer.Status == MessageStatus.Complete && (a.Chars > text.Length || a.Citations > (Answer.Citations?.Count ?? 0)))
            throw new ArgumentException($"Last-Event-ID (or after) {a} was never sent: this turn's answer has {text.Length} characters and "
                + $"{Answer.Citations?.Count ?? 0} citations. Resume from an id the stream sent, or without one to replay the whole turn.");
        // A client that has the final event has the whole turn: nothing follows it (as from the live buffer).
        if (after is { } seen && seen.Index >= Answer.FinalEvent) return new([]);
        return new(Events(after).ToList());
    }

    // The replay numbers its events on from the claimed one: an index at the top of the range would wrap to negative ids.
    private static void CheckIndex(TurnEventId? after)
    {
        if (after is { Index: > MaxResumeIndex } a)
            throw new ArgumentException($"Last-Event-ID (or after) {a} was never sent: no turn has that many events.");
    }

    private IEnumerable<TurnEvent> Events(TurnEventId? after)
    {
        var (index, chars, citations) = after is { } a ? (a.Index, a.Chars, a.Citations) : (0, 0, 0);
        foreach (var c in (Answer.Citations ?? []).Skip(citations))
            yield return new TurnEvent(new TurnEventId(++index, chars, ++citations).ToString(), new CitationEvent(c.DocumentId, c.DocumentTitle, c.ChunkIndex, c.Score));
        var text = HasAnswerText ? Answer.Content : "";
        if (chars < text.Length)
        {
            var rest = text[chars..];
            chars = text.Length;
            yield return new TurnEvent(new TurnEventId(++index, chars, citations).ToString(), new DeltaEvent(rest));
        }
        // The final event keeps the number the live stream gave it (the replay sends fewer events before it), so a
        // resume from it, from either stream, is known as a resume from the end.
        yield return new TurnEvent(new TurnEventId(Math.Max(++index, Answer.FinalEvent ?? 0), chars, citations).ToString(), TurnEvents.FinalOf(this));
    }

    /// <summary>A page of stored messages as their owner reads it (citations on answers only); the next page is older.</summary>
    public static HistoryPage ToHistory(IReadOnlyList<MessageRecord> page, int limit)
    {
        var messages = page.Select(m => new MessageInfo(m.Seq, m.TurnId, m.Role, m.Content, m.Status, m.CreatedAt, m.Model,
            m.Role == ChatRoles.Assistant ? (m.Citations ?? []).Select(c => new Citation(c.DocumentId, c.DocumentTitle, c.ChunkIndex, c.Score)).ToList() : null,
            m.ImageIds)).ToList();
        return new HistoryPage(messages, page.Count == limit && page[0].Seq > 1 ? page[0].Seq : null);
    }

    /// <summary>A <c>done</c> event for the stored answer, with what its calls consumed.</summary>
    public DoneEvent Done(string finishReason) => new(Answer.TurnId, Question.Seq, Answer.Seq,
        new TurnUsage(Usage.PromptTokens, Usage.CachedTokens, Usage.CompletionTokens, Usage.CostUsd), Answer.Model ?? "none", finishReason);
}
