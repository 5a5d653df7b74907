namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>The demo tenant's examples through the API: the internal domain blocked, rude_word and passwords masked.</summary>
public sealed class DemoTenantModerationTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    [Theory(DisplayName = "The internal domain is refused before retrieval and the model in every evasion variant, and stored masked")]
    [InlineData("What is the test address of oa.jiaoyu.com?")]
    [InlineData("What is the test address of o a . j i a o y u . c o m?")]
    [InlineData("What is the test address of oa.jiao\u200Byu\u200D.com?")]
    [InlineData("What is the test address of ｏａ．ｊｉａｏｙｕ．ｃｏｍ?")]
    [InlineData("What is the test address of OA.JIAOYU.COM?")]
    [InlineData("What is the test address of oa.jiaoyu.c0m?")]
    public async Task Internal_domain_variants_are_refused(string question)
    {
        using var user = fx.As(ModerationPlatformFixture.DemoUserKey);
        var id = await user.CreateConversationAsync();
        var modelCalls = fx.Model.Requests.Count;
        var events = await user.SendAsync(id, question);

        var error = Assert.Single(events, e => e.Name == "error");
        Assert.Equal("input_refused", error.Data["code"]!.GetValue<string>());
        Assert.Equal("high", error.Data["riskLevel"]!.GetValue<string>());
        Assert.Contains("customized", error.Data["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains(error.Data["message"]!.GetValue<string>(), Variants(RefusalClass.Confidential, "en"));
        Assert.DoesNotContain(events, e => e.Name is "delta" or "citation");
        Assert.Equal(modelCalls, fx.Model.Requests.Count);
        var stored = await user.MessagesAsync(id);
        Assert.Equal("refused", stored[^1]!["status"]!.GetValue<string>());
        Assert.DoesNotContain("jiaoyucom", ModerationNormalizer.NormalizePattern(stored[0]!["content"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A Chinese question about the internal domain gets the refusal in Chinese")]
    public async Task Chinese_question_gets_chinese_refusal()
    {
        using var user = fx.As(ModerationPlatformFixture.DemoUserKey);
        var id = await user.CreateConversationAsync();
        var events = await user.SendAsync(id, "公司OA域名oa.jiaoyu.com的预发环境地址是什么？");
        var message = events.Single(e => e.Name == "error").Data["message"]!.GetValue<string>();
        Assert.Contains(message, Variants(RefusalClass.Confidential, "zh"));
    }

    [Fact(DisplayName = "rude_word is masked for the model and in the history; the turn still answers")]
    public async Task Rude_word_is_masked()
    {
        using var user = fx.As(ModerationPlatformFixture.DemoUserKey);
        var id = await user.CreateConversationAsync();
        fx.Model.ClearRequests();
        var events = await user.SendAsync(id, "You R.U.D.E_W.O.R.D, how many days of annual leave do I get?");
        Assert.True(events[^1].Name == "done", events.Dump());
        var toModel = fx.Model.Requests.Last().Messages.Last().Content;
        Assert.Contains("***", toModel);
        Assert.DoesNotContain("rudeword", ModerationNormalizer.NormalizePattern(toModel));
        var question = (await user.MessagesAsync(id))[0]!["content"]!.GetValue<string>();
        Assert.Equal("You ***, how many days of annual leave do I get?", question);
    }

    [Fact(DisplayName = "A password and a phone number are masked in the stored history, in the moderation event and in the logs")]
    public async Task Personal_data_is_masked_everywhere_stored()
    {
        using var user = fx.As(ModerationPlatformFixture.DemoUserKey);
        using var admin = fx.As(ModerationPlatformFixture.DemoAdminKey);
        var id = await user.CreateConversationAsync();
        const string secret = "Tr0ub4dor&3xyz";
        const string phone = "13812345678";
        var events = await user.SendAsync(id, $"My VPN login fails. password: {secret} and my phone is {phone}, what should I do?");
        Assert.True(events[^1].Name == "done", events.Dump());

        var stored = (await user.MessagesAsync(id))[0]!["content"]!.GetValue<string>();
        Assert.DoesNotContain(secret, stored);
        Assert.DoesNotContain(phone, stored);
        Assert.Contains("password:", stored);

        var logged = await admin.GetJsonAsync($"/v1/moderation/events?conversationId={id}&phase=input");
        var e = Assert.Single(logged["events"]!.AsArray())!;
        var content = e["content"]!.GetValue<string>();
        Assert.DoesNotContain(secret, content);
        Assert.DoesNotContain(phone, content);
        Assert.Equal("alice", e["userId"]!.GetValue<string>());
        var labels = e["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.Contains("pii_phone", labels);
        Assert.Contains("secret_password", labels);

        Assert.DoesNotContain(secret, fx.Platform.Log);
        Assert.DoesNotContain(phone, fx.Platform.Log);
    }

    private static HashSet<string> Variants(RefusalClass refusal, string language) =>
        Enumerable.Range(0, 64).Select(i => RefusalMessages.ForLanguage(refusal, language, i.ToString()).Text).ToHashSet();
}
