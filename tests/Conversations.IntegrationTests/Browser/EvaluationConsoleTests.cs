namespace Conversations.IntegrationTests.Browser;

/// <summary>The admin console's evaluations page in headless Chromium against a real platform and the streaming test model.</summary>
[Collection(WebChatCollection.Name)]
public sealed class EvaluationConsoleTests(WebChatFixture fx)
{
    [Fact(DisplayName = "An admin writes an evaluation set in the console, runs it against a catalog model until it completes, and reads each answer with the facts it missed")]
    public async Task Set_is_written_run_and_read_in_the_console()
    {
        var (_, adminKey, _) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("evaluations", "Evaluations");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New set" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "New set" });
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("Leave policy");
        var first = dialog.Locator("fieldset.case").Nth(0);
        await first.GetByLabel("Question").FillAsync("How long is parental leave?");
        await first.GetByLabel("Facts the answer must contain (one a line)").FillAsync("sixteen weeks");
        await first.GetByLabel("Documents it must cite (ids)").FillAsync(WebChatFixture.DocumentId);
        await first.GetByLabel("Asked as").SelectOptionAsync("alice");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add a case" }).ClickAsync();
        var second = dialog.Locator("fieldset.case").Nth(1);
        await second.GetByLabel("Question").FillAsync("Is parental leave unpaid?");
        await second.GetByLabel("Facts the answer must contain (one a line)").FillAsync("half pay");
        await second.GetByLabel("Asked as").SelectOptionAsync("alice");
        await console.ScreenshotAsync("admin-evaluations-new-set");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();

        var setRow = console.Page.GetByRole(AriaRole.Table, new() { Name = "Sets" }).Locator("tbody tr", new() { HasText = "Leave policy" });
        await Assertions.Expect(setRow).ToContainTextAsync("2");
        var sets = await admin.GetJsonAsync("/v1/evaluations/sets");
        var stored = Assert.Single(sets.AsArray())!;
        Assert.Equal(["sixteen weeks"], stored["cases"]![0]!["facts"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(["leave"], stored["cases"]![0]!["sources"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("alice", stored["cases"]![1]!["userId"]!.GetValue<string>());

        // No model in the catalog yet: the run's dialog says where to register one instead of a form that cannot be sent.
        await setRow.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        var start = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "Run Leave policy" });
        await Assertions.Expect(start.GetByRole(AriaRole.Link, new() { Name = "Register one in Models & routing." })).ToBeVisibleAsync();
        await start.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/house", new
        {
            endpoint = fx.Model.BaseUrl, modelName = WebChatFixture.ModelId, tier = "small", inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
        }), HttpStatusCode.OK);
        await console.Page.ReloadAsync();
        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Evaluations", Level = 1 }).WaitForAsync();

        // A registered model is not called before the tenant has a routing policy (the server would refuse the run with
        // 409): the dialog says so and where to set one, with no form to send.
        await setRow.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Assertions.Expect(start.GetByRole(AriaRole.Link, new() { Name = "Set one in Models & routing." })).ToBeVisibleAsync();
        await Assertions.Expect(start.GetByRole(AriaRole.Button, new() { Name = "Start the run" })).ToHaveCountAsync(0);
        await start.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        Assert.Empty((await admin.GetJsonAsync("/v1/evaluations/runs")).AsArray());

        // With a policy, the run starts from the dialog and the runs table follows it to its end.
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "house", largeModelId = "house" }), HttpStatusCode.OK);
        await console.Page.ReloadAsync();
        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Evaluations", Level = 1 }).WaitForAsync();
        await setRow.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await start.GetByLabel("model").SelectOptionAsync("house");
        await start.GetByRole(AriaRole.Button, new() { Name = "Start the run" }).ClickAsync();
        await Assertions.Expect(start).ToBeHiddenAsync();
        var runRow = console.Page.GetByRole(AriaRole.Table, new() { Name = "Runs" }).Locator("tbody tr", new() { HasText = "house" });
        await Assertions.Expect(runRow).ToContainTextAsync("completed", new() { Timeout = 60_000 });
        await Assertions.Expect(runRow).ToContainTextAsync("2 of 2");
        await Assertions.Expect(runRow).ToContainTextAsync("50.0%");
        await console.ScreenshotAsync("admin-evaluations-run");

        // The answers: the first case found its fact and cited its document, the second misses the fact it asked for.
        await runRow.GetByRole(AriaRole.Button, new() { Name = "Answers" }).ClickAsync();
        var answers = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "Answers of Leave policy" }).GetByRole(AriaRole.Table, new() { Name = "Answers" });
        await Assertions.Expect(answers.Locator("tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(answers.Locator("tbody tr").Nth(0)).ToContainTextAsync("sixteen weeks");
        await Assertions.Expect(answers.Locator("tbody tr").Nth(0)).ToContainTextAsync("none");
        await Assertions.Expect(answers.Locator("tbody tr").Nth(0)).ToContainTextAsync(WebChatFixture.DocumentId);
        await Assertions.Expect(answers.Locator("tbody tr").Nth(1)).ToContainTextAsync("half pay");
        await console.ScreenshotAsync("admin-evaluations-answers");

        var run = Assert.Single((await admin.GetJsonAsync("/v1/evaluations/runs")).AsArray())!;
        Assert.Equal("completed", run["status"]!.GetValue<string>());
        Assert.Equal(0.5, run["summary"]!["factRecall"]!.GetValue<double>(), 3);
        // Nothing was sent that the server had to refuse, and no script error.
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "A canary started in the console with an evaluation set is refused promotion by the gate when the candidate misses the set's facts, and an admin promotes it anyway with a reason that the routing events keep")]
    public async Task Canary_gate_refusal_is_overridden_with_a_reason()
    {
        var (_, adminKey, tenantId) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        // The candidate is the same test model under another name, answering without the fact the set asks for.
        var worse = $"worse-{tenantId}";
        fx.Model.Control.SetModel(worse, WebChatFixture.Streaming with { ScriptedAnswer = "Parental leave is ten weeks [leave#0]." });
        foreach (var (id, name) in new[] { ("house", WebChatFixture.ModelId), ("candidate", worse) })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = fx.Model.BaseUrl, modelName = name, tier = "large", inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
            }), HttpStatusCode.OK);
        }
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "house", largeModelId = "house" }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "leave-gate", name = "Leave gate", cases = new[] { new { question = "How long is parental leave?", facts = new[] { "sixteen weeks" }, userId = "alice" } },
        }), HttpStatusCode.Created);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("canary", "Canary");
        await console.Page.GetByRole(AriaRole.Combobox, new() { Name = "Candidate", Exact = true }).SelectOptionAsync("candidate");
        await console.Page.GetByRole(AriaRole.Combobox, new() { Name = "Baseline", Exact = true }).SelectOptionAsync("house");
        await console.Page.GetByRole(AriaRole.Combobox, new() { Name = "Evaluation set (optional)", Exact = true }).SelectOptionAsync("leave-gate");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Start canary" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Promote" }).WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal("leave-gate", (await admin.GetJsonAsync("/v1/routing"))["policy"]!["canary"]!["evaluationSetId"]!.GetValue<string>());

        // The gate asks the set inside the request: held a moment here, the page says what it is waiting for.
        await console.Page.RouteAsync("**/v1/routing/canary/promote", async route =>
        {
            await Task.Delay(1500);
            await route.ContinueAsync();
        });
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByTestId("gate-running")).ToContainTextAsync("Running evaluation set leave-gate on both models");
        var ask = console.Page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(ask).ToContainTextAsync("The evaluation gate refused", new() { Timeout = 60_000 });
        await Assertions.Expect(ask).ToContainTextAsync("fact");
        await console.ScreenshotAsync("admin-canary-gate-refused");
        Assert.Equal(0, await console.Page.GetByTestId("gate-running").CountAsync());
        await console.Page.UnrouteAsync("**/v1/routing/canary/promote");
        Assert.NotNull((await admin.GetJsonAsync("/v1/routing"))["policy"]!["canary"]);
        await ask.GetByLabel("Why promote anyway? (kept in the routing events and the audit log)").FillAsync("the set's wording is out of date");
        await ask.GetByRole(AriaRole.Button, new() { Name = "Promote anyway" }).ClickAsync();

        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Start a canary" }).WaitForAsync(new() { Timeout = 60_000 });
        var policy = (await admin.GetJsonAsync("/v1/routing"))["policy"]!;
        Assert.Null(policy["canary"]);
        Assert.Equal("candidate", policy["largeModelId"]!.GetValue<string>());
        var events = (await admin.GetJsonAsync("/v1/routing/events")).AsArray().Select(e => (Kind: e!["kind"]!.GetValue<string>(), Message: e["message"]!.GetValue<string>())).ToList();
        Assert.Contains(events, e => e.Kind == "canary-promotion-override" && e.Message.Contains("the set's wording is out of date", StringComparison.Ordinal));
        // The gate's runs are listed on the evaluations page beside manual ones.
        await console.OpenAsync("evaluations", "Evaluations");
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Table, new() { Name = "Runs" }).Locator("tbody tr", new() { HasText = "candidate" })).Not.ToHaveCountAsync(0);
        Assert.Equal(["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"], console.Errors);
    }

    [Fact(DisplayName = "A thumbs-down answer in the feedback log becomes a case of an evaluation set from its row: the stored question, asked as the voter, with the facts the admin adds")]
    public async Task Thumbs_down_becomes_a_case_from_the_feedback_log()
    {
        var (userKey, adminKey, _) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        using var user = fx.As(userKey);
        var conversation = await user.CreateConversationAsync("vote");
        var seq = (await user.SendAsync(conversation, "How long is parental leave for fathers?")).Done()["assistantMessageSeq"]!.GetValue<long>();
        await ApiClient.EnsureAsync(await user.Http.PostAsJsonAsync($"/v1/conversations/{conversation}/messages/{seq}/feedback", new { rating = "down", comment = "Says nothing about fathers." }), HttpStatusCode.OK);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("feedback", "Feedback");
        var vote = console.Page.Locator("table tbody tr", new() { HasText = "Says nothing about fathers." });
        await vote.GetByRole(AriaRole.Button, new() { Name = "Make a case" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "Make an evaluation case" });
        // No set yet: the dialog says where to make one instead of a form that cannot be sent.
        await Assertions.Expect(dialog.GetByRole(AriaRole.Link, new() { Name = "Create one on the Evaluations page." })).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            setId = "regressions", name = "Regressions", cases = new[] { new { question = "How long is parental leave?", facts = new[] { "sixteen weeks" }, userId = "alice" } },
        }), HttpStatusCode.Created);
        await vote.GetByRole(AriaRole.Button, new() { Name = "Make a case" }).ClickAsync();
        await dialog.GetByLabel("Facts the answer must contain (one a line)").FillAsync("sixteen weeks\nfathers");
        await dialog.GetByLabel("Documents it must cite (ids)").FillAsync(WebChatFixture.DocumentId);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add the case" }).ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Status)).ToContainTextAsync("Added to Regressions");
        await console.ScreenshotAsync("admin-feedback-case-added");

        var cases = (await admin.GetJsonAsync("/v1/evaluations/sets/regressions"))["cases"]!.AsArray();
        Assert.Equal(2, cases.Count);
        Assert.Equal("How long is parental leave for fathers?", cases[1]!["question"]!.GetValue<string>());
        Assert.Equal("alice", cases[1]!["userId"]!.GetValue<string>());
        Assert.Equal(["sixteen weeks", "fathers"], cases[1]!["facts"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal([WebChatFixture.DocumentId], cases[1]!["sources"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Empty(console.Errors);
    }
}
