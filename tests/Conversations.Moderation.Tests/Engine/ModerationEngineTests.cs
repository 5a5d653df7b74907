namespace Conversations.Moderation.Tests.Engine;

public sealed class ModerationEngineTests
{
    /// <summary>The demo tenant's example library: internal domain, a rude word and "password".</summary>
    internal static readonly CompiledLexiconSet SeedLexicons = CompiledLexiconSet.CompileWithPlatform(
    [
        new Lexicon("LLM ACP", ["jiaoyu.com", "password"], RiskLevel.High, LexiconAction.Block),
        new Lexicon("tenant_rude", ["rude_word"], RiskLevel.Medium, LexiconAction.Mask),
    ], "seed-1");

    private readonly ModerationEngine _engine = new();

    [Fact]
    public void Seed_example_internal_domain_is_blocked_with_green_shaped_result()
    {
        // Proves oa.jiaoyu.com is caught via "jiaoyu.com" and reported like Green's TextModerationPlus.
        const string text = "What rude_word is the access link for the pre-release environment of the company's OA domain oa.jiaoyu.com?";
        var result = _engine.Scan(text, SeedLexicons, ModerationPhase.Input);

        Assert.Equal("high", result.RiskLevelName);
        Assert.Equal(ModerationAction.Block, result.Action);
        var customized = Assert.Single(result.Results, r => r.Label == Lexicon.CustomizedLabel);
        Assert.Equal(100, customized.Confidence);
        Assert.Contains(customized.CustomizedHit, h => h.LibName == "LLM ACP" && h.KeyWords == "jiaoyu.com");
        Assert.Contains(customized.CustomizedHit, h => h.LibName == "tenant_rude" && h.KeyWords == "rude_word");
        var domain = Assert.Single(result.Hits, h => h.Keyword == "jiaoyu.com");
        Assert.Equal("jiaoyu.com", text[domain.Start..domain.End]);
        Assert.Equal(Conversations.Moderation.Messages.RefusalClass.Confidential, result.RefusalClass);
    }

    [Theory]
    [InlineData("say r u d e_w o r d now", "r u d e_w o r d")]
    [InlineData("say r.u.d.e.w.o.r.d now", "r.u.d.e.w.o.r.d")]
    [InlineData("say ru\u200Bde_wo\u200Crd now", "ru\u200Bde_wo\u200Crd")]
    [InlineData("say ＲＵＤＥ＿ＷＯＲＤ now", "ＲＵＤＥ＿ＷＯＲＤ")]
    [InlineData("say RuDe_WoRd now", "RuDe_WoRd")]
    [InlineData("say rudе_wоrd now", "rudе_wоrd")]
    [InlineData("say ru|)e? no: rud3_w0rd now", "rud3_w0rd")]
    [InlineData("你说 r·u·d·e·w·o·r·d 吗", "r·u·d·e·w·o·r·d")]
    public void Evasion_variants_are_caught_at_their_original_offsets(string text, string expectedSpan)
    {
        // Proves each evasion is matched and the hit maps back to exactly the original characters.
        var result = _engine.Scan(text, SeedLexicons, ModerationPhase.Input);
        var hit = Assert.Single(result.Hits, h => h.Keyword == "rude_word");
        Assert.Equal(expectedSpan, text[hit.Start..hit.End]);
        Assert.Equal(text.Replace(expectedSpan, "***"), result.Mask(text));
    }

    [Fact]
    public void Clean_text_is_allowed_with_risk_none()
    {
        // Proves ordinary text produces no hits.
        var result = _engine.Scan("请问公司的报销流程是什么？How do I file expenses?", SeedLexicons, ModerationPhase.Input);
        Assert.Equal(ModerationAction.Allow, result.Action);
        Assert.Equal("none", result.RiskLevelName);
        Assert.Empty(result.Results);
    }

    [Fact]
    public void Input_pii_is_allowed_but_masked_for_storage()
    {
        // Proves the default input policy: personal data passes to the model, stored copies are masked.
        const string text = "我的手机是13812345678，邮箱 bob@corp.cn";
        var result = _engine.Scan(text, CompiledLexiconSet.Platform, ModerationPhase.Input);
        Assert.Equal(ModerationAction.Allow, result.Action);
        Assert.Equal(text, result.Mask(text));
        Assert.Equal("我的手机是138****5678，邮箱 b***@corp.cn", result.MaskForStorage(text));
        Assert.All(result.Results, r => Assert.Equal("", r.RiskWords));
    }

    [Fact]
    public void Output_pii_and_secrets_are_masked()
    {
        // Proves the default output policy masks personal data and secrets with their formats.
        PlatformMasks("Call 13812345678, password: hunter2, key sk-abcdefghijklmnopqrstuvwx1234", ModerationPhase.Output,
            "Call 138****5678, password: ******, key ******");
    }

    [Fact]
    public void Secrets_in_input_are_masked_even_when_personal_data_is_allowed()
    {
        // Proves secrets are masked in the question by default.
        var result = PlatformMasks("my api_key=Zx81kQ2pLm3Nv7Rt9Ws4 fails", ModerationPhase.Input, "my api_key=****** fails");
        Assert.Contains(result.Hits, h => h.PiiKind == PiiKind.ApiKey && h.Label == "secret_api_key");
    }

    [Fact]
    public void Policy_can_block_personal_data_in_input()
    {
        // Proves the per-phase policy is configurable.
        var strict = ModerationPolicy.Default with { Input = new PhasePolicy(ModerationAction.Block, ModerationAction.Block) };
        var result = _engine.Scan("ID 11010519491231002X", CompiledLexiconSet.Platform, ModerationPhase.Input, strict);
        Assert.True(result.IsBlocked);
        Assert.Equal(Conversations.Moderation.Messages.RefusalClass.PersonalData, result.RefusalClass);
    }

    [Fact]
    public void Overlapping_hits_are_masked_once()
    {
        // Proves "password" the word and the password value both get masked without garbling the text.
        const string text = "the password: hunter2 ok";
        var result = _engine.Scan(text, SeedLexicons, ModerationPhase.Output);
        Assert.True(result.IsBlocked);
        Assert.Equal("the ***: ****** ok", result.Mask(text));
    }

    [Fact]
    public void Platform_lexicon_masks_profanity_in_both_languages()
    {
        // Proves the built-in lexicon catches English and Chinese abuse, including spaced-out forms.
        var result = PlatformMasks("you f u c k i n g 傻逼", ModerationPhase.Input, "you *** i n g ***");
        Assert.Equal(Lexicon.AbuseLabel, Assert.Single(result.Results).Label);
    }

    [Fact]
    public void Compiled_set_is_safe_to_share_across_threads()
    {
        // Proves concurrent scans on one compiled set give the same answers as a single-threaded scan.
        const string text = "oa.jiaoyu.com 和 r u d e word 13812345678";
        var expected = _engine.Scan(text, SeedLexicons, ModerationPhase.Output).Mask(text);
        var results = new string[64];
        Parallel.For(0, results.Length, i => results[i] = _engine.Scan(text, SeedLexicons, ModerationPhase.Output).Mask(text));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    /// <summary>Scans with the platform lexicons and asserts the text is masked (not blocked) to the expected form.</summary>
    private ModerationResult PlatformMasks(string text, ModerationPhase phase, string expected)
    {
        var result = _engine.Scan(text, CompiledLexiconSet.Platform, phase);
        Assert.Equal(ModerationAction.Mask, result.Action);
        Assert.Equal(expected, result.Mask(text));
        return result;
    }
}
