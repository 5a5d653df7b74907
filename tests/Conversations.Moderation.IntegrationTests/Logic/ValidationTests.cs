using Conversations.Grains.Moderation.Lexicons;

namespace Conversations.Moderation.IntegrationTests.Logic;

/// <summary>What tenant admins may set: limits and lexicons, with messages that say what is wrong.</summary>
public sealed class ValidationTests
{
    private static LexiconDefinition Lexicon(string name = "internal", string[]? words = null, string risk = "high", string action = "block", string label = "") =>
        new(name, words ?? ["jiaoyu.com"], risk, action, label, default);

    [Theory(DisplayName = "Invalid lexicons are refused with a message naming the field")]
    [InlineData("bad name!", "high", "block", "name")]
    [InlineData("platform_x", "high", "block", "reserved")]
    [InlineData("ok", "severe", "block", "riskLevel")]
    [InlineData("ok", "high", "delete", "action")]
    public void Invalid_lexicons_are_refused(string name, string risk, string action, string mentioned)
    {
        var e = Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon(name, risk: risk, action: action)));
        Assert.Contains(mentioned, e.Message);
    }

    [Fact(DisplayName = "Words without a letter or digit, empty lists and bad labels are refused")]
    public void Unusable_words_are_refused()
    {
        Assert.Contains("'...'", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon(words: ["ok", "..."]))).Message);
        Assert.Contains("at least one word", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon(words: []))).Message);
        Assert.Contains("label", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon(label: "Bad Label"))).Message);
    }

    [Fact(DisplayName = "A valid lexicon is trimmed, de-duplicated, lower-cased in its enums and labelled 'customized' by default")]
    public void Valid_lexicon_is_cleaned()
    {
        var clean = LexiconRules.Validate(Lexicon(" internal ", [" jiaoyu.com ", "jiaoyu.com", "oa"], "HIGH", "Block"));
        Assert.Equal("internal", clean.Name);
        Assert.Equal(["jiaoyu.com", "oa"], clean.Words);
        Assert.Equal(("high", "block", "customized"), (clean.RiskLevel, clean.Action, clean.Label));
        var engine = LexiconRules.ToEngine(clean);
        Assert.Equal((RiskLevel.High, LexiconAction.Block), (engine.Risk, engine.Action));
    }

    [Fact(DisplayName = "Substring words are cleaned like words; a word in both lists is kept once, as a substring word")]
    public void Substring_words_are_validated()
    {
        var clean = LexiconRules.Validate(Lexicon(words: ["bad", " ass "]) with { SubstringWords = [" ass", "zorb", "zorb"] });
        Assert.Equal(["bad"], clean.Words);
        Assert.Equal(["ass", "zorb"], clean.SubstringWords);
        var engine = LexiconRules.ToEngine(clean);
        Assert.Equal(["ass", "zorb"], engine.SubstringWords);
        Assert.Equal(["zorb"], LexiconRules.Validate(Lexicon(words: []) with { SubstringWords = ["zorb"] }).SubstringWords);
        Assert.Contains("substringWords", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon() with { SubstringWords = ["--"] })).Message);
        Assert.Contains("at least one word", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon(words: []) with { SubstringWords = [] })).Message);
        // Both lists count toward the tenant's bound.
        var half = Lexicon("a", Enumerable.Range(0, LexiconRules.MaxWordsPerLexicon / 2).Select(i => $"w{i}").ToArray());
        var full = half with { SubstringWords = Enumerable.Range(0, LexiconRules.MaxWordsPerLexicon / 2).Select(i => $"s{i}").ToArray() };
        var five = Enumerable.Range(0, 5).Select(i => full with { Name = $"l{i}" }).ToList();
        Assert.Throws<ArgumentException>(() => LexiconRules.CheckTenantBounds(five, half with { Name = "new" }));
    }

    [Fact(DisplayName = "A lexicon's scope defaults to both, is trimmed and lower-cased, and reaches the engine; other values are refused")]
    public void Scope_is_validated()
    {
        Assert.Equal("both", LexiconRules.Validate(Lexicon()).Scope);
        Assert.Equal(LexiconScope.Both, LexiconRules.ToEngine(LexiconRules.Validate(Lexicon())).Scope);
        var input = LexiconRules.Validate(Lexicon() with { Scope = " Input " });
        Assert.Equal("input", input.Scope);
        Assert.Equal(LexiconScope.Input, LexiconRules.ToEngine(input).Scope);
        Assert.Equal(LexiconScope.Output, LexiconRules.ToEngine(LexiconRules.Validate(Lexicon() with { Scope = "output" })).Scope);
        Assert.Contains("scope", Assert.Throws<ArgumentException>(() => LexiconRules.Validate(Lexicon() with { Scope = "answers" })).Message);
    }

    [Fact(DisplayName = "A tenant's lexicons are bounded in number and total words")]
    public void Tenant_bounds()
    {
        var big = Lexicon("a", Enumerable.Range(0, LexiconRules.MaxWordsPerLexicon).Select(i => $"w{i}").ToArray());
        var five = Enumerable.Range(0, 5).Select(i => big with { Name = $"l{i}" }).ToList();
        Assert.Throws<ArgumentException>(() => LexiconRules.CheckTenantBounds(five, big with { Name = "new" }));
        LexiconRules.CheckTenantBounds(five, big with { Name = "l0" }); // replacing one keeps the total
    }

    [Theory(DisplayName = "Limits must be positive, users may not exceed the tenant, and the Green mode is open or closed")]
    [InlineData(0, null, null, null)]
    [InlineData(7000, null, null, null)]
    [InlineData(null, null, 10, null)]
    [InlineData(null, null, null, "sometimes")]
    public void Invalid_settings_are_refused(int? userRpm, int? userTpm, int? tenantRpm, string? mode)
    {
        Assert.Throws<ArgumentException>(() => ModerationSettingsValidator.Apply(new ModerationSettings(),
            new ModerationSettingsPatch { UserRequestsPerMinute = userRpm, UserTokensPerMinute = userTpm, TenantRequestsPerMinute = tenantRpm, GreenFailureMode = mode }));
    }

    [Fact(DisplayName = "A valid patch changes only the fields it sets")]
    public void Patch_changes_only_its_fields()
    {
        var next = ModerationSettingsValidator.Apply(new ModerationSettings(), new ModerationSettingsPatch { UserRequestsPerMinute = 5, GreenFailureMode = " Closed " });
        Assert.Equal(5, next.UserRequestsPerMinute);
        Assert.Equal(ModerationSettings.FailClosed, next.GreenFailureMode);
        Assert.Equal(ModerationSettings.DefaultTenantRequestsPerMinute, next.TenantRequestsPerMinute);
    }
}
