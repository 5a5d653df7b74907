using Conversations.Moderation.Moderators;
using Conversations.Moderation.Streaming;

namespace Conversations.Grains.Moderation.Turn;

/// <summary>
/// Green behind one streamed answer: the text the output guard has released is cut into windows, and each window is
/// checked in the background while the answer goes on. Nothing waits for a check, so the stream is held only by the
/// guard's own rules; the first window that fails (a risky verdict, or Green down under a fail-closed tenant) makes the
/// guard withhold the rest. Pushes and the settle come from the turn, one at a time; verdicts arrive from any thread.
/// </summary>
internal sealed class OutputWindowWatch(IOutputWindowModerator checker, GreenFailureMode failureMode, OutputWindowOptions options)
{
    private readonly OutputWindows _windows = new(options);
    private readonly List<Task> _checks = [];
    private readonly List<ChannelVerdict> _findings = [];
    private ChannelVerdict? _failed;

    /// <summary>The first failing verdict; null while none has come back.</summary>
    public ChannelVerdict? Failed => Volatile.Read(ref _failed);

    /// <summary>Every verdict with labels, or that failed, so far (for the turn's output event).</summary>
    public IReadOnlyList<ChannelVerdict> Findings
    {
        get { lock (_findings) return _findings.ToArray(); }
    }

    /// <summary>Windows checked so far (started).</summary>
    public int WindowsStarted => _checks.Count;

    /// <summary>Text the user was just shown.</summary>
    public void Released(string text)
    {
        if (Failed is not null) return;
        foreach (var window in _windows.Add(text)) _checks.Add(CheckAsync(window));
    }

    /// <summary>The answer ended: checks the last window and waits for every check (each bounded by Green's own timeouts).</summary>
    public async Task SettleAsync()
    {
        if (Failed is null && _windows.Flush() is { } last) _checks.Add(CheckAsync(last));
        await Task.WhenAll(_checks);
    }

    private async Task CheckAsync(string window)
    {
        ChannelVerdict verdict;
        try
        {
            verdict = await checker.CheckWindowAsync(window, failureMode);
        }
        catch (Exception)
        {
            // A bug in the checker is treated like Green being down: the tenant's failure mode decides.
            verdict = new ChannelVerdict(failureMode == GreenFailureMode.FailClosed ? Conversations.Moderation.ModerationAction.Block : Conversations.Moderation.ModerationAction.Allow,
                Conversations.Moderation.RiskLevel.None, [], GreenUnavailable: true);
        }
        if (verdict.Results.Count > 0 || verdict.IsBlocked)
            lock (_findings) _findings.Add(verdict);
        if (verdict.IsBlocked) Interlocked.CompareExchange(ref _failed, verdict, null);
    }
}
