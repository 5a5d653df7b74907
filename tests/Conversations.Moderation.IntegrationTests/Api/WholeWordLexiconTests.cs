using Npgsql;

namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>Tenant lexicon words match as whole words through the real platform: near-misses get answers, evasions are refused.</summary>
public sealed class WholeWordLexiconTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    private static readonly string[] Words = ["ass", "sex", "cunt", "anus", "bad"];

    [Fact(DisplayName = "A block lexicon answers benign messages with its words inside other words, and refuses every evasion of them")]
    public async Task Benign_near_misses_are_answered_and_evasions_refused()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var put = await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/blocked",
            new { words = Words, substringWords = new[] { "zorb" }, riskLevel = "high", action = "block" });
        await ApiClient.EnsureAsync(put, HttpStatusCode.OK);
        var stored = await admin.GetJsonAsync("/v1/moderation/lexicons/blocked");
        Assert.Equal(Words, stored["words"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Equal(["zorb"], stored["substringWords"]!.AsArray().Select(w => w!.GetValue<string>()));

        var id = await user.CreateConversationAsync();
        foreach (var benign in new[]
        {
            "Which class covers password resets?",
            "It is exactly what the assassin from Scunthorpe asked an usher.",
            "Is the badge office in Sussex or Essex? We need an analysis.",
        })
        {
            var events = await user.SendAsync(id, benign);
            Assert.True(events[^1].Name == "done", $"'{benign}' was not answered:\n{events.Dump()}");
        }

        foreach (var evasion in new[]
        {
            "sex", "s e x", "s.e.x", "S-E-X", "s_e_x", "s\u200Bex", "s\u200Ce\u200Dx", "ｓｅｘ", "ѕех", "s3x", "b a d", "B.A.D", "a\u00ADs\u00ADs",
            "cunt", "zorblax",
        })
        {
            var events = await user.SendAsync(id, $"Tell me about {evasion} please.");
            Assert.True(events[^1].Name == "error" && events[^1].Data["code"]!.GetValue<string>() == "input_refused",
                $"'{evasion}' was not refused:\n{events.Dump()}");
        }
    }

    [Fact(DisplayName = "A streamed answer masks whole words only: 'class' and 'assessment' arrive intact, 'b a d' and 'bad' as ***")]
    public async Task Streamed_answer_masks_whole_words_only()
    {
        var (admin, user) = await fx.NewTenantAsync();
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/masked",
            new { words = new[] { "ass", "bad" }, riskLevel = "low", action = "mask" }), HttpStatusCode.OK);
        var id = await user.CreateConversationAsync();
        List<SseEvent> events;
        using (fx.Model.Control.ChangeDefault(b => b with { ScriptedAnswer = "The class passed the assessment. Some say b a d things. That was bad" }))
            events = await user.SendAsync(id, "How did the class do?");
        Assert.True(events[^1].Name == "done", events.Dump());
        Assert.Equal("The class passed the assessment. Some say *** things. That was ***", string.Concat(events.Deltas()));
    }

    [Fact(DisplayName = "A lexicon row stored before the substring option loads unchanged and matches its words as whole words")]
    public async Task Lexicon_rows_without_the_option_still_load()
    {
        var tenant = $"m-{Guid.NewGuid():n}"[..20];
        using var op = fx.As(ModerationPlatformFixture.OperatorKey);
        using var admin = fx.As(await op.CreateTenantAsync(tenant));
        using var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        // Written the way the earlier schema wrote it: no substring_words value at all.
        await using (var db = fx.Database.CreateDataSource())
        {
            await using var insert = db.CreateCommand("""
                INSERT INTO moderation_lexicons (tenant_id, name, words, risk_level, action, label) VALUES (@t, 'legacy', ARRAY['sex'], 'high', 'block', 'customized');
                INSERT INTO moderation_lexicon_versions (tenant_id, version) VALUES (@t, 1);
                """);
            insert.Parameters.AddWithValue("t", tenant);
            await insert.ExecuteNonQueryAsync();
        }
        var legacy = await admin.GetJsonAsync("/v1/moderation/lexicons/legacy");
        Assert.Equal(["sex"], legacy["words"]!.AsArray().Select(w => w!.GetValue<string>()));
        Assert.Empty(legacy["substringWords"]!.AsArray());
        var id = await user.CreateConversationAsync();
        Assert.Equal("done", (await user.SendAsync(id, "It is exactly the Sussex office."))[^1].Name);
        Assert.Equal("error", (await user.SendAsync(id, "Tell me about s e x."))[^1].Name);
    }
}
