using System.Text;
using Conversations.Grains.Chat;
using Conversations.Moderation;
using Conversations.Moderation.Engine;
using Conversations.Moderation.Streaming;

namespace Conversations.Grains.Moderation.Turn;

/// <summary>
/// Stage 7 for one answer: <see cref="StreamingOutputFilter"/> releases the answer sentence by sentence, masked, and
/// withholds the rest once a blocking rule fires. With Green configured, an <see cref="OutputWindowWatch"/> checks what
/// was released in windows meanwhile; a failing window withholds the rest the same way. When the answer ends (or is
/// withheld) the findings are handed to <paramref name="finished"/> once, with the answer masked for storage.
/// </summary>
internal sealed class ModerationOutputGuard(StreamingOutputFilter filter, string withheldNotice, Action<OutputFindings> finished) : IOutputGuard
{
    private readonly StringBuilder _raw = new();
    private OutputWindowWatch? _watch;
    private string? _unavailableNotice;
    private string? _settledTail;
    private bool _done;

    /// <summary>Adds the Green window checks (before the first push).</summary>
    public ModerationOutputGuard Watch(OutputWindowWatch watch, string unavailableNotice)
    {
        _watch = watch;
        _unavailableNotice = unavailableNotice;
        return this;
    }

    /// <inheritdoc />
    public GuardedText Push(string delta)
    {
        if (_done) return new GuardedText("");
        if (WatchFailed() is { } notice) return Withhold(notice);
        _raw.Append(delta);
        var safe = filter.Append(delta);
        if (filter.IsBlocked) return Withhold(withheldNotice);
        _watch?.Released(safe);
        return new GuardedText(safe);
    }

    /// <inheritdoc />
    public async Task SettleAsync()
    {
        if (_done || _watch is null || _settledTail is not null) return;
        // The tail the filter held until the end is released to the watch first, so Green sees the whole answer.
        _settledTail = filter.Flush();
        if (!filter.IsBlocked) _watch.Released(_settledTail);
        await _watch.SettleAsync();
    }

    /// <inheritdoc />
    public GuardedText Complete()
    {
        if (_done) return new GuardedText("");
        if (WatchFailed() is { } notice) return Withhold(notice);
        var tail = _settledTail ?? filter.Flush();
        Finish();
        return filter.IsBlocked ? new GuardedText("", Withheld: true, Notice: withheldNotice) : new GuardedText(tail);
    }

    private string? WatchFailed() => _watch?.Failed is { } failed ? (failed.GreenUnavailable ? _unavailableNotice ?? withheldNotice : withheldNotice) : null;

    private GuardedText Withhold(string notice)
    {
        Finish();
        return new GuardedText("", Withheld: true, Notice: notice);
    }

    private void Finish()
    {
        _done = true;
        var outside = _watch?.Findings ?? [];
        if (filter.Hits.Count == 0 && outside.Count == 0) return;
        var consumed = _raw.ToString(0, Math.Min(filter.ConsumedLength, _raw.Length));
        var blocked = filter.IsBlocked || _watch?.Failed is not null;
        var action = blocked ? ModerationAction.Block
            : filter.Hits.Any(h => h.Action != ModerationAction.Allow) ? ModerationAction.Mask : ModerationAction.Allow;
        var risk = outside.Aggregate(filter.RiskLevel, (r, v) => RiskLevels.Max(r, v.RiskLevel));
        var labels = outside.SelectMany(v => v.GreenUnavailable ? [UnavailableLabel] : v.Results.Select(r => r.Label)).ToList();
        finished(new OutputFindings(action, risk, filter.Hits, TextMasker.Mask(consumed, filter.Hits, static _ => true))
        {
            OutsideLabels = labels,
            CheckedOutside = _watch is not null && (outside.Count > 0 || _watch.WindowsStarted > 0),
        });
    }

    /// <summary>The label an output event carries when Green could not check a window and the tenant fails closed.</summary>
    public const string UnavailableLabel = "green:unavailable";
}

/// <summary>What the output guard found in one answer; <see cref="StoredText"/> has every finding masked.</summary>
internal sealed record OutputFindings(ModerationAction Action, RiskLevel Risk, IReadOnlyList<ModerationHit> Hits, string StoredText)
{
    /// <summary>Labels from the outside checker (Green), "green:"-prefixed.</summary>
    public IReadOnlyList<string> OutsideLabels { get; init; } = [];

    /// <summary>True when Green checked windows of this answer.</summary>
    public bool CheckedOutside { get; init; }
}
