namespace Conversations.IntegrationTests.Api;

/// <summary>The chat's starter questions are the tenant's own: set in the tenant settings, read by users from /v1/me.</summary>
public sealed class StarterQuestionsApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "A tenant has no starter questions until its admin sets some; its users read them from /v1/me, another tenant never sees them")]
    public async Task Starter_questions_are_the_tenants_own()
    {
        var (admin, user) = await fx.NewTenantAsync("stq");
        var (_, otherUser) = await fx.NewTenantAsync("stqo");
        Assert.Empty((await user.GetJsonAsync("/v1/me"))["starterQuestions"]!.AsArray());
        Assert.Empty((await admin.GetJsonAsync("/v1/tenant/settings"))["starterQuestions"]!.AsArray());

        using var saved = await admin.Http.PatchAsJsonAsync("/v1/tenant/settings",
            new { starterQuestions = new[] { "  Where is the office?  ", "Who approves travel?" } });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(["Where is the office?", "Who approves travel?"], Strings((await saved.Content.ReadFromJsonAsync<JsonNode>())!["starterQuestions"]!));
        Assert.Equal(["Where is the office?", "Who approves travel?"], Strings((await user.GetJsonAsync("/v1/me"))["starterQuestions"]!));
        Assert.Empty((await otherUser.GetJsonAsync("/v1/me"))["starterQuestions"]!.AsArray());

        // A patch without them keeps them; an empty list clears them.
        await ApiClient.EnsureAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { instructions = "Be brief." }), HttpStatusCode.OK);
        Assert.Equal(2, (await user.GetJsonAsync("/v1/me"))["starterQuestions"]!.AsArray().Count);
        await ApiClient.EnsureAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { starterQuestions = Array.Empty<string>() }), HttpStatusCode.OK);
        Assert.Empty((await user.GetJsonAsync("/v1/me"))["starterQuestions"]!.AsArray());
    }

    [Fact(DisplayName = "Starter questions past 6, blank or over 200 characters are a 400 problem that names the rule, and change nothing")]
    public async Task Bad_starter_questions_are_refused()
    {
        var (admin, _) = await fx.NewTenantAsync("stqv");
        var before = await admin.Http.GetStringAsync("/v1/tenant/settings");
        (object Questions, string Says)[] cases =
        [
            (Enumerable.Range(1, 7).Select(i => $"Question {i}?").ToArray(), "at most 6 questions"),
            (new[] { "Fine?", "   " }, "starterQuestions[1] is blank"),
            (new[] { new string('q', 201) }, "at most 200"),
            (new string?[] { null }, "starterQuestions[0] is blank"),
        ];
        foreach (var (questions, says) in cases)
        {
            var problem = await ApiClient.ProblemAsync(await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", new { starterQuestions = questions }), HttpStatusCode.BadRequest);
            Assert.Contains(says, problem["detail"]!.GetValue<string>());
        }
        Assert.Equal(before, await admin.Http.GetStringAsync("/v1/tenant/settings"));
    }

    private static List<string> Strings(JsonNode array) => [.. array.AsArray().Select(q => q!.GetValue<string>())];
}
