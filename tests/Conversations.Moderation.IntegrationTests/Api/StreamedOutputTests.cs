namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>The answer is moderated while it streams: over SSE, no prefix the user receives ever holds a masked or blocked term.</summary>
public sealed class StreamedOutputTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    private async Task<(List<SseEvent> Events, ApiClient User, string ConversationId)> AskWithScriptedAnswerAsync(string answer)
    {
        var user = fx.As(ModerationPlatformFixture.DemoUserKey);
        var id = await user.CreateConversationAsync();
        using (fx.Model.Control.ChangeDefault(b => b with { ScriptedAnswer = answer }))
            return (await user.SendAsync(id, "Tell me about the office network."), user, id);
    }

    // Every prefix of the streamed text, in the matching form, must be free of the term.
    private static void NeverShows(List<string> deltas, string term)
    {
        var seen = "";
        foreach (var d in deltas)
        {
            seen += d;
            Assert.DoesNotContain(ModerationNormalizer.NormalizePattern(term), ModerationNormalizer.NormalizePattern(seen));
        }
    }

    [Fact(DisplayName = "A masked word spelled across many deltas and a phone number arrive as *** and a masked number; the stored answer matches")]
    public async Task Masked_term_split_across_deltas_never_streams()
    {
        // The test model streams one word a chunk: "r u d e _ w o r d" arrives in nine deltas.
        var (events, user, id) = await AskWithScriptedAnswerAsync("The network is fine. Some say r u d e _ w o r d about it. Call 13812345678 if it fails. Thanks.");
        using var _ = user;
        Assert.True(events[^1].Name == "done", events.Dump());
        var deltas = events.Deltas();
        NeverShows(deltas, "rude_word");
        var shown = string.Concat(deltas);
        Assert.Contains("***", shown);
        Assert.DoesNotContain("13812345678", shown);
        Assert.Contains("Thanks.", shown);
        var stored = (await user.MessagesAsync(id))[^1]!["content"]!.GetValue<string>();
        Assert.Equal(shown, stored);

        using var admin = fx.As(ModerationPlatformFixture.DemoAdminKey);
        var e = Assert.Single((await admin.GetJsonAsync($"/v1/moderation/events?conversationId={id}&phase=output"))["events"]!.AsArray())!;
        Assert.Equal("mask", e["action"]!.GetValue<string>());
        Assert.DoesNotContain("13812345678", e["content"]!.GetValue<string>());
    }

    [Fact(DisplayName = "A blocked term split across deltas withholds the rest of the answer with a notice; no piece of it reaches the client")]
    public async Task Blocked_term_split_across_deltas_is_withheld()
    {
        var (events, user, id) = await AskWithScriptedAnswerAsync("Sure. The portal lives at o a . j i a o y u . c o m and the wiki too. More text follows here.");
        using var _ = user;
        var deltas = events.Deltas();
        NeverShows(deltas, "jiaoyu.com");
        Assert.Equal("done", events[^1].Name);
        Assert.Equal("content_filter", events[^1].Data["finishReason"]!.GetValue<string>());
        var shown = string.Concat(deltas);
        Assert.StartsWith("Sure.", shown);
        Assert.DoesNotContain("wiki", shown);
        Assert.Contains("withheld", shown);

        using var admin = fx.As(ModerationPlatformFixture.DemoAdminKey);
        var e = Assert.Single((await admin.GetJsonAsync($"/v1/moderation/events?conversationId={id}&phase=output"))["events"]!.AsArray())!;
        Assert.Equal(("block", "high"), (e["action"]!.GetValue<string>(), e["riskLevel"]!.GetValue<string>()));
        Assert.DoesNotContain("jiaoyucom", ModerationNormalizer.NormalizePattern(e["content"]!.GetValue<string>()));
    }
    [Fact(DisplayName = "The tenant's published contacts (an address, a mail domain, a phone number in another format) stream as written; every other address and number is still masked; a malformed entry is a 400 naming it")]
    public async Task Published_contacts_are_not_masked()
    {
        using var tenant = await fx.NewTenantWithModerationAsync(new { publicContacts = new[] { " HR@Acme.Example ", "@help.acme.example", "415-555-0100" } });
        var settings = await tenant.Admin.GetJsonAsync("/v1/moderation/settings");
        Assert.Equal(["hr@acme.example", "@help.acme.example", "415-555-0100"], settings["publicContacts"]!.AsArray().Select(c => c!.GetValue<string>()));
        var id = await tenant.User.CreateConversationAsync();
        List<SseEvent> events;
        using (fx.Model.Control.ChangeDefault(b => b with
        {
            ScriptedAnswer = "Write to hr@acme.example or desk@help.acme.example, not jane.doe@gmail.com. Call +14155550100, not +14155550199. Thanks.",
        }))
            events = await tenant.User.SendAsync(id, "Who do I contact about leave?");
        Assert.True(events[^1].Name == "done", events.Dump());
        var shown = string.Concat(events.Deltas());
        Assert.Contains("hr@acme.example", shown);
        Assert.Contains("desk@help.acme.example", shown);
        Assert.Contains("+14155550100", shown);
        Assert.DoesNotContain("jane.doe@gmail.com", shown);
        Assert.DoesNotContain("+14155550199", shown);
        Assert.Contains("Thanks.", shown);

        var bad = await ApiClient.ProblemAsync(await tenant.Admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { publicContacts = new[] { "hr@acme.example", "not a contact" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("'not a contact'", bad["detail"]!.GetValue<string>());
        // Nothing of the refused list was kept.
        Assert.Equal(3, (await tenant.Admin.GetJsonAsync("/v1/moderation/settings"))["publicContacts"]!.AsArray().Count);
        // A stored list is replaced by the next one, and the settings read back after the grain's state is reloaded.
        await tenant.Admin.PatchModerationAsync(new { publicContacts = new[] { "desk@acme.example" } });
        await tenant.Admin.PatchModerationAsync(new { userRequestsPerMinute = 50 });
        Assert.Equal(["desk@acme.example"], (await tenant.Admin.GetJsonAsync("/v1/moderation/settings"))["publicContacts"]!.AsArray().Select(c => c!.GetValue<string>()));
    }
}
