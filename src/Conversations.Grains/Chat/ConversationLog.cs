using Conversations.Contracts.Chat;
using Conversations.Prompting.History;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat;

/// <summary>
/// The recent part of one conversation's log, in memory (the messages after the summary, at most
/// <paramref name="capacity"/>): where a turn's messages get their numbers and are appended, and what a prompt's recent
/// turns come from.
/// </summary>
internal sealed class ConversationLog(ConversationStore store, string tenantId, string conversationId, int capacity)
{
    private readonly List<MessageRecord> _window = [];
    // The messages of a turn the pending question replaces: back in the window should its write fail.
    private List<MessageRecord> _replaced = [];

    /// <summary>The number of the last message in the log.</summary>
    public long LastSeq { get; private set; }

    /// <summary>How many of the log's messages belong to replaced turns (they still hold their numbers).</summary>
    public long ReplacedMessages { get; private set; }

    /// <summary>The messages of the turn the latest question replaced (empty when it replaced none).</summary>
    public IReadOnlyList<MessageRecord> Replaced => _replaced;

    /// <summary>Reads the log's end after activation.</summary>
    public async Task LoadAsync(long summarizedThroughSeq, CancellationToken ct)
    {
        (LastSeq, ReplacedMessages) = await store.LogEndAsync(tenantId, conversationId, ct);
        var recent = await store.ReadPageAsync(tenantId, conversationId, null, capacity, ct);
        _window.AddRange(recent.Where(m => m.Seq > summarizedThroughSeq));
    }

    /// <summary>A message numbered as the next one in the log.</summary>
    public MessageRecord Next(string turnId, string role, string content, string status, int tokenCount, string? model) =>
        new(LastSeq + 1, turnId, role, content, status, tokenCount, model, DateTimeOffset.UtcNow);

    /// <summary>
    /// Adds a turn's question now and returns its write, which the turn overlaps with its next stages. A question that
    /// replaces the last turn (<paramref name="replacesTurnId"/>, checked with <see cref="EndsWithAnswerOf"/>) takes
    /// that turn's messages out of the window, and its write marks them replaced.
    /// </summary>
    public Task AppendQuestion(MessageRecord question, string? replacesTurnId = null)
    {
        var write = store.AppendAsync(tenantId, conversationId, [question], replacesTurnId: replacesTurnId);
        _replaced = _window.Where(m => m.TurnId == replacesTurnId).ToList();
        _window.RemoveAll(m => m.TurnId == replacesTurnId);
        ReplacedMessages += _replaced.Count;
        LastSeq = question.Seq;
        _window.Add(question);
        return write;
    }

    /// <summary>Forgets a question whose write failed (nothing was added after it); a turn it was to replace comes back.</summary>
    public void Forget(MessageRecord question)
    {
        _window.Remove(question);
        _window.AddRange(_replaced);
        ReplacedMessages -= _replaced.Count;
        _replaced = [];
        LastSeq--;
    }

    /// <summary>Stores an answer with its usage rows; not with the caller's token: they are written even when the caller has gone.</summary>
    public async Task SaveAsync(MessageRecord answer, IReadOnlyList<UsageRecord>? usage)
    {
        await store.AppendAsync(tenantId, conversationId, [answer], usage, CancellationToken.None);
        LastSeq = answer.Seq;
        _window.Add(answer);
        if (_window.Count > capacity) _window.RemoveRange(0, _window.Count - capacity);
    }

    /// <summary>True when this turn is the log's last and has its answer (the turn a regenerated or edited question may replace).</summary>
    public bool EndsWithAnswerOf(string turnId) => _window.Count > 0 && _window[^1].TurnId == turnId && _window[^1].Role == ChatRoles.Assistant;

    /// <summary>True while the log ends with this turn's question and no answer.</summary>
    public bool EndsWithQuestionOf(string turnId) => _window.Count > 0 && _window[^1].TurnId == turnId && _window[^1].Role == ChatRoles.User;

    /// <summary>
    /// The window as prompt turns (messages with text that a prompt may carry), without <paramref name="excludingSeq"/>;
    /// <paramref name="imageCounts"/> (by message number) says how many of a message's images the prompt sends again.
    /// </summary>
    public IReadOnlyList<ConversationTurn> RecentTurns(long? excludingSeq, IReadOnlyDictionary<long, int>? imageCounts = null) => ConversationTurn.Group(
        InPrompt(excludingSeq).Select(m => ToTurnMessage(m) with { ImageCount = imageCounts?.GetValueOrDefault(m.Seq) ?? 0 }));

    /// <summary>
    /// The window's questions that carried images, newest first, without <paramref name="excludingSeq"/>. A refused
    /// turn's question is left out: its images never reach a model.
    /// </summary>
    public IEnumerable<MessageRecord> QuestionsWithImages(long? excludingSeq)
    {
        var refused = _window.Where(m => m.Status == MessageStatus.Refused).Select(m => m.TurnId).ToHashSet(StringComparer.Ordinal);
        return InPrompt(excludingSeq).Where(m => m.Role == ChatRoles.User && m.ImageIds is { Count: > 0 } && !refused.Contains(m.TurnId)).Reverse();
    }

    private IEnumerable<MessageRecord> InPrompt(long? excludingSeq) => _window.Where(m => m.Seq != excludingSeq && (m.Content.Length > 0 || m.ImageIds is { Count: > 0 })
        && m.Status is MessageStatus.Complete or MessageStatus.Interrupted or MessageStatus.Incomplete or MessageStatus.Stopped);

    /// <summary>Drops the messages a summary now covers.</summary>
    public void DropThrough(long seq) => _window.RemoveAll(m => m.Seq <= seq);

    /// <summary>Empties the window (the conversation was deleted).</summary>
    public void Clear()
    {
        _window.Clear();
        _replaced = [];
        LastSeq = ReplacedMessages = 0;
    }

    /// <summary>After a crash the log may end with a question and no answer: records that turn as interrupted, not missing.</summary>
    public async Task CloseDanglingTurnAsync(CancellationToken ct)
    {
        if (_window.Count == 0 || _window[^1].Role != ChatRoles.User) return;
        var closing = Next(_window[^1].TurnId, ChatRoles.Assistant, "", MessageStatus.Interrupted, 0, null);
        await store.AppendAsync(tenantId, conversationId, [closing], null, ct);
        LastSeq = closing.Seq;
        _window.Add(closing);
    }

    /// <summary>A stored message as the prompt builder sees it.</summary>
    public static ChatTurnMessage ToTurnMessage(MessageRecord m) => new(m.Role, m.Content, m.TokenCount, m.Seq);
}
