namespace Conversations.Moderation.IntegrationTests.Logic;

/// <summary>The output guard the chat turn calls for every delta.</summary>
public sealed class OutputGuardTests
{
    private static readonly CompiledLexiconSet Lexicons = CompiledLexiconSet.CompileWithPlatform(
    [
        new Lexicon("internal_domains", ["jiaoyu.com"], RiskLevel.High, LexiconAction.Block),
        new Lexicon("rude_words", ["rude_word"], RiskLevel.Medium, LexiconAction.Mask, Lexicon.AbuseLabel),
    ], "test");

    private static (string Shown, bool Withheld, OutputFindings? Findings) Run(IEnumerable<string> deltas)
    {
        OutputFindings? findings = null;
        var guard = new ModerationOutputGuard(new StreamingOutputFilter(new ModerationEngine(), Lexicons), "withheld", f => findings = f);
        var shown = new List<string>();
        foreach (var d in deltas)
        {
            var r = guard.Push(d);
            shown.Add(r.SafeText);
            if (r.Withheld) return (string.Concat(shown), true, findings);
        }
        var tail = guard.Complete();
        shown.Add(tail.SafeText);
        // Every prefix the user could have seen must be free of the masked word, not just the whole answer.
        var seen = "";
        foreach (var piece in shown)
        {
            seen += piece;
            Assert.DoesNotContain("rudeword", ModerationNormalizer.NormalizePattern(seen));
        }
        return (seen, tail.Withheld, findings);
    }

    [Fact(DisplayName = "A masked word split letter by letter across deltas is shown only as ***, and the event text is masked")]
    public void Split_masked_word_never_shows()
    {
        var deltas = "Hello. You r u d e _ w o r d, call 13812345678 today. Bye.".Select(c => c.ToString());
        var (shown, withheld, findings) = Run(deltas);
        Assert.False(withheld);
        Assert.Contains("***", shown);
        Assert.DoesNotContain("13812345678", shown);
        Assert.NotNull(findings);
        Assert.Equal(ModerationAction.Mask, findings.Action);
        Assert.DoesNotContain("13812345678", findings.StoredText);
        Assert.DoesNotContain("rudeword", ModerationNormalizer.NormalizePattern(findings.StoredText));
    }

    [Fact(DisplayName = "A blocked term split across deltas withholds the rest of the answer; no part of the term is released")]
    public void Split_blocked_term_is_withheld()
    {
        var (shown, withheld, findings) = Run(["The portal is oa.", "jiao", "yu", ".c", "om and more."]);
        Assert.True(withheld);
        Assert.DoesNotContain("jiao", shown);
        Assert.Equal(ModerationAction.Block, findings!.Action);
        Assert.Equal(RiskLevel.High, findings.Risk);
    }

    [Fact(DisplayName = "A clean answer produces no findings and is released whole")]
    public void Clean_answer_has_no_findings()
    {
        var (shown, withheld, findings) = Run(["Annual leave ", "is 15 days. ", "Ask HR."]);
        Assert.Equal("Annual leave is 15 days. Ask HR.", shown);
        Assert.False(withheld);
        Assert.Null(findings);
    }
}
