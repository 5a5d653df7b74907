namespace Conversations.IntegrationTests.Browser;

/// <summary>The admin console's drift page in headless Chromium against a real platform process.</summary>
public sealed class DriftConsoleTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "The drift page runs a check from its button: a shifted stream shows as drifted, with its signals and the event listed")]
    public async Task Drift_page_checks_and_lists_events()
    {
        var t = await fx.NewUnlimitedTenantAsync("driftui");
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { minSamples = 10, referenceSamples = 10 }), HttpStatusCode.OK);
        var id = await t.User.CreateConversationAsync("drift");
        foreach (var q in new[] { "annual leave", "sick leave", "parental leave", "vacation days", "holiday time" }.SelectMany(l => new[]
                 { $"How many {l} do I get this year?", $"Who approves my {l} request?" }))
            (await t.User.SendAsync(id, q)).Done();
        await WaitForAsync(t.Admin, s => s["referenceQuestions"]!.GetValue<long>() == 10);
        foreach (var q in new[] { "nginx", "redis", "the kafka broker", "the postgres replica", "the build agent" }.SelectMany(s => new[]
                 { $"How do I restart {s} on the staging cluster?", $"Why does {s} crash with connection refused?" }))
            (await t.User.SendAsync(id, q)).Done();
        await WaitForAsync(t.Admin, s => s["windowQuestions"]!.GetValue<long>() == 10);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, t.Admin.Key);
        await console.OpenAsync("drift", "Drift");
        await Assertions.Expect(console.Page.Locator(".stat").First).ToContainTextAsync("10");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator(".stat").Nth(2)).ToContainTextAsync("drifted");
        await Assertions.Expect(console.Page.Locator("table").First).ToContainTextAsync("topic");
        await Assertions.Expect(console.Page.Locator("table").Last.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(console.Page.Locator("table").Last).ToContainTextAsync("topic");
        await console.ScreenshotAsync("admin-drift");
        Assert.Empty(console.Errors);
    }

    private static async Task WaitForAsync(ApiClient admin, Func<JsonNode, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            if (done(await admin.GetJsonAsync("/v1/drift"))) return;
            await Task.Delay(100);
        }
        Assert.Fail("The drift grain did not count the turns: " + (await admin.GetJsonAsync("/v1/drift")).ToJsonString());
    }
}
