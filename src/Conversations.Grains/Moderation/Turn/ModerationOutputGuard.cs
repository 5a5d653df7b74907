using System.Text;
using Conversations.Grains.Chat;
using Conversations.Moderation;
using Conversations.Moderation.Engine;
using Conversations.Moderation.Streaming;

namespace Conversations.Grains.Moderation.Turn;

/// <summary>
/// Stage 7 for one answer: <see cref="StreamingOutputFilter"/> releases the answer sentence by sentence, masked, and
/// withholds the rest once a blocking rule fires. When the answer ends (or is withheld) the findings are handed to
/// <paramref name="finished"/> once, with the answer masked for storage.
/// </summary>
public sealed class ModerationOutputGuard(StreamingOutputFilter filter, string withheldNotice, Action<OutputFindings> finished) : IOutputGuard
{
    private readonly StringBuilder _raw = new();
    private bool _done;

    /// <inheritdoc />
    public GuardedText Push(string delta)
    {
        if (_done) return new GuardedText("");
        _raw.Append(delta);
        var safe = filter.Append(delta);
        if (!filter.IsBlocked) return new GuardedText(safe);
        Finish();
        return new GuardedText("", Withheld: true, Notice: withheldNotice);
    }

    /// <inheritdoc />
    public GuardedText Complete()
    {
        if (_done) return new GuardedText("");
        var tail = filter.Flush();
        Finish();
        return filter.IsBlocked ? new GuardedText("", Withheld: true, Notice: withheldNotice) : new GuardedText(tail);
    }

    private void Finish()
    {
        _done = true;
        if (filter.Hits.Count == 0) return;
        var consumed = _raw.ToString(0, Math.Min(filter.ConsumedLength, _raw.Length));
        var action = filter.IsBlocked ? ModerationAction.Block
            : filter.Hits.Any(h => h.Action != ModerationAction.Allow) ? ModerationAction.Mask : ModerationAction.Allow;
        finished(new OutputFindings(action, filter.RiskLevel, filter.Hits, TextMasker.Mask(consumed, filter.Hits, static _ => true)));
    }
}

/// <summary>What the output guard found in one answer; <see cref="StoredText"/> has every finding masked.</summary>
public sealed record OutputFindings(ModerationAction Action, RiskLevel Risk, IReadOnlyList<ModerationHit> Hits, string StoredText);
