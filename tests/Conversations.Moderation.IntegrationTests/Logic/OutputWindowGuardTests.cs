using Conversations.Moderation.Moderators;

namespace Conversations.Moderation.IntegrationTests.Logic;

/// <summary>The output guard with Green's answer windows behind it (Green replaced by a scripted checker).</summary>
public sealed class OutputWindowGuardTests
{
    private static readonly OutputWindowOptions Windows = new() { MinChars = 10, MaxChars = 100, OverlapChars = 0 };

    /// <summary>Answers each window when the test says so; flags windows holding "BAD".</summary>
    private sealed class ScriptedChecker(bool unavailable = false) : IOutputWindowModerator
    {
        public List<(string Window, TaskCompletionSource Release)> Calls { get; } = [];
        public bool Enabled => true;

        public async Task<ChannelVerdict> CheckWindowAsync(string window, GreenFailureMode failureMode, CancellationToken cancellationToken = default)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Calls)
            {
                Calls.Add((window, release));
                if (_open) release.TrySetResult();
            }
            await release.Task;
            if (unavailable)
                return new ChannelVerdict(failureMode == GreenFailureMode.FailClosed ? ModerationAction.Block : ModerationAction.Allow, RiskLevel.None, [], GreenUnavailable: true);
            return window.Contains("BAD", StringComparison.Ordinal)
                ? new ChannelVerdict(ModerationAction.Block, RiskLevel.High, [new ModerationLabelResult("green:contraband", 99, "BAD", [], RiskLevel.High)])
                : ChannelVerdict.Allowed;
        }

        private bool _open;

        /// <summary>Answers every pending check, and every later one at once.</summary>
        public void ReleaseAll()
        {
            lock (Calls)
            {
                _open = true;
                foreach (var c in Calls) c.Release.TrySetResult();
            }
        }
    }

    private static (ModerationOutputGuard Guard, Func<OutputFindings?> Findings) Guard(ScriptedChecker checker, GreenFailureMode mode = GreenFailureMode.FailOpen)
    {
        OutputFindings? findings = null;
        var guard = new ModerationOutputGuard(new StreamingOutputFilter(new ModerationEngine(), CompiledLexiconSet.Platform), "withheld", f => findings = f)
            .Watch(new OutputWindowWatch(checker, mode, Windows), "unavailable, please retry");
        return (guard, () => findings);
    }

    [Fact(DisplayName = "Text keeps flowing while Green's checks are pending: nothing is held for them")]
    public async Task Pending_checks_do_not_hold_the_stream()
    {
        var checker = new ScriptedChecker();
        var (guard, _) = Guard(checker);
        var shown = string.Concat(Enumerable.Range(0, 20).Select(i => guard.Push($"Sentence number {i} is plain. ").SafeText));
        Assert.Contains("Sentence number 19", shown);
        Assert.True(checker.Calls.Count >= 10, $"windows sent: {checker.Calls.Count}");
        checker.ReleaseAll();
        await guard.SettleAsync();
        var tail = guard.Complete();
        Assert.False(tail.Withheld);
    }

    [Fact(DisplayName = "A flagged window withholds every later delta with the guard's notice; the event carries Green's label")]
    public async Task Flagged_window_withholds_the_rest()
    {
        var checker = new ScriptedChecker();
        var (guard, findings) = Guard(checker);
        Assert.Equal("First part is fine. ", guard.Push("First part is fine. ").SafeText);
        guard.Push("Then BAD things. ");
        checker.ReleaseAll();
        var withheld = guard.Push("After the verdict. ");
        for (var i = 0; i < 200 && !withheld.Withheld; i++)
        {
            await Task.Delay(10);
            withheld = guard.Push("More. ");
        }
        Assert.True(withheld.Withheld);
        Assert.Equal("withheld", withheld.Notice);
        Assert.Equal("", withheld.SafeText);
        Assert.Equal(ModerationAction.Block, findings()!.Action);
        Assert.Equal(RiskLevel.High, findings()!.Risk);
        Assert.Contains("green:contraband", findings()!.OutsideLabels);
        Assert.True(findings()!.CheckedOutside);
        Assert.Equal("", guard.Complete().SafeText);
    }

    [Fact(DisplayName = "A verdict that comes after the last delta still withholds the held tail: the end waits for the checks")]
    public async Task Late_verdict_withholds_the_tail()
    {
        var checker = new ScriptedChecker();
        var (guard, findings) = Guard(checker);
        guard.Push("A fine opening sentence. ");
        guard.Push("It ends with BAD");
        var settle = guard.SettleAsync();
        Assert.False(settle.IsCompleted);
        checker.ReleaseAll();
        await settle;
        var tail = guard.Complete();
        Assert.True(tail.Withheld);
        Assert.DoesNotContain("BAD", tail.SafeText);
        Assert.Equal(ModerationAction.Block, findings()!.Action);
    }

    [Theory(DisplayName = "Green down: fail-open lets the answer finish, fail-closed withholds it with the retry notice")]
    [InlineData(GreenFailureMode.FailOpen)]
    [InlineData(GreenFailureMode.FailClosed)]
    public async Task Outage_follows_the_failure_mode(GreenFailureMode mode)
    {
        var checker = new ScriptedChecker(unavailable: true);
        var (guard, findings) = Guard(checker, mode);
        var shown = guard.Push("A fine opening sentence. ").SafeText + guard.Push("And the last one").SafeText;
        var settle = guard.SettleAsync();
        checker.ReleaseAll();
        await settle;
        var tail = guard.Complete();
        if (mode == GreenFailureMode.FailOpen)
        {
            Assert.False(tail.Withheld);
            Assert.Equal("A fine opening sentence. And the last one", shown + tail.SafeText);
            Assert.Null(findings());
        }
        else
        {
            Assert.True(tail.Withheld);
            Assert.Equal("unavailable, please retry", tail.Notice);
            Assert.Contains(ModerationOutputGuard.UnavailableLabel, findings()!.OutsideLabels);
        }
    }
}
