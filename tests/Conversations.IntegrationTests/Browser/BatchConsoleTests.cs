namespace Conversations.IntegrationTests.Browser;

/// <summary>The admin console's batches page in headless Chromium against a real platform and the test model.</summary>
[Collection(WebChatCollection.Name)]
public sealed class BatchConsoleTests(WebChatFixture fx)
{
    private static readonly string[] Planets = ["Name the first planet.", "Name the second planet.", "Name the third planet."];

    [Fact(DisplayName = "An admin submits a batch of three prompts in the console, sees it listed until it completes, and reads the three answers in prompt order; a body over the server's limit is refused in the dialog; the page fits a phone")]
    public async Task Batch_is_submitted_followed_and_read_in_the_console()
    {
        var (_, adminKey, tenantId) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        // A model of this test alone that answers each prompt with the prompt itself, quickly: each answer says which prompt it is.
        var echo = $"echo-{tenantId}";
        fx.Model.Control.SetModel(echo, new ModelBehavior { Echo = true, TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(10) });
        await RegisterAsync(admin, "house", echo);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("batches", "Batches");
        var jobs = console.Page.GetByRole(AriaRole.Table, new() { Name = "Jobs" });
        await Assertions.Expect(jobs).ToContainTextAsync("No batches yet");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New batch" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "New batch" });
        await dialog.GetByRole(AriaRole.Combobox, new() { Name = "Model", Exact = true }).SelectOptionAsync("house");
        var prompts = dialog.GetByLabel("Prompts (one a line)");
        var count = dialog.GetByTestId("prompt-count");

        // More text than the server takes in one body (1 MiB): its 413 is told in the dialog, and nothing is queued.
        await prompts.FillAsync(string.Join('\n', Enumerable.Repeat(new string('x', 15_000), 80)));
        await Assertions.Expect(count).ToHaveTextAsync("80 prompts will be sent.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Submit the batch" }).ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("larger than this server accepts");
        Assert.Empty((await admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray());

        // Empty and blank lines are skipped.
        await prompts.FillAsync($"{Planets[0]}\n\n{Planets[1]}\n   \n{Planets[2]}\n");
        await Assertions.Expect(count).ToHaveTextAsync("3 prompts will be sent.");
        await dialog.GetByLabel("Max output tokens").FillAsync("64");
        await console.ScreenshotAsync("admin-batches-new");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Submit the batch" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        // The row follows the job to its end without a reload: status, progress, who submitted it.
        var row = jobs.Locator("tbody tr", new() { HasText = "house" });
        await Assertions.Expect(row).ToContainTextAsync("completed", new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToContainTextAsync("3 of 3");
        await Assertions.Expect(row.Locator("progress")).ToHaveAttributeAsync("value", "3");
        await Assertions.Expect(row.Locator("td[data-label=\"Submitted by\"]")).ToHaveTextAsync("admin");
        var job = Assert.Single((await admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray())!;
        var jobId = job["jobId"]!.GetValue<string>();
        Assert.Equal(("completed", 3, 0), (job["status"]!.GetValue<string>(), job["succeeded"]!.GetValue<int>(), job["failed"]!.GetValue<int>()));
        await Assertions.Expect(row).ToContainTextAsync(jobId);
        await console.ScreenshotAsync("admin-batches-completed");

        // The answers, in prompt order, each the answer to its own prompt.
        await row.GetByRole(AriaRole.Button, new() { Name = "Answers" }).ClickAsync();
        var answersDialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = $"Answers of {jobId}" });
        var answers = answersDialog.GetByRole(AriaRole.Table, new() { Name = "Answers" }).Locator("tbody tr");
        await Assertions.Expect(answers).ToHaveCountAsync(3);
        for (var i = 0; i < 3; i++)
        {
            await Assertions.Expect(answers.Nth(i).Locator("td[data-label=\"#\"]")).ToHaveTextAsync($"{i + 1}");
            await Assertions.Expect(answers.Nth(i).Locator("td[data-label=Answer]")).ToContainTextAsync(Planets[i]);
            await Assertions.Expect(answers.Nth(i).Locator("td[data-label=Status]")).ToHaveTextAsync("answered");
        }
        await console.ScreenshotAsync("admin-batches-answers");

        // The fetched answers download as JSON Lines, one item a line as the API gives it.
        var download = await console.Page.RunAndWaitForDownloadAsync(() => answersDialog.GetByRole(AriaRole.Button, new() { Name = "Download JSONL" }).ClickAsync());
        Assert.Equal($"{jobId}.jsonl", download.SuggestedFilename);
        var saved = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([0, 1, 2], saved.Select(s => s["index"]!.GetValue<int>()));
        Assert.Equal(Planets, saved.Select(s => s["answer"]!.GetValue<string>().Trim()));
        Assert.All(saved, s => Assert.True(s["completionTokens"]!.GetValue<int>() > 0));
        await answersDialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // On a phone the row is stacked: its button on the screen, and the page does not scroll sideways.
        await console.Page.SetViewportSizeAsync(390, 844);
        await console.Page.ReloadAsync(); // laid out at phone width from the start, not mid-way through the sidebar's slide
        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Batches", Level = 1 }).WaitForAsync();
        var box = await row.GetByRole(AriaRole.Button, new() { Name = "Answers" }).BoundingBoxAsync();
        Assert.True(box!.X >= 0 && box.X + box.Width <= 390, $"Answers is at x {box.X}–{box.X + box.Width}");
        Assert.True(await console.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            "the Batches page scrolls sideways");
        await console.ScreenshotAsync("admin-phone-batches", fullPage: true);
        Assert.All(console.Errors, e => Assert.Contains("status of 413", e, StringComparison.Ordinal));
        Assert.Single(console.Errors);
    }

    [Fact(DisplayName = "A batch submitted from a JSONL file in the console is stopped from its row while a prompt is being answered and ends cancelled, after which the page stops asking, as a page left while it ran does; a read-only key sees New batch and Stop disabled")]
    public async Task Running_batch_is_stopped_from_the_page()
    {
        var (_, adminKey, tenantId) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        // About 20 s an answer, from its length at 50 ms a token: the first prompt is in flight through all that follows,
        // and no pause between tokens comes near a stall timeout.
        var slow = $"slow-{tenantId}";
        fx.Model.Control.SetModel(slow, new ModelBehavior { AnswerTokens = 400, TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(50) });
        await RegisterAsync(admin, "house", slow);

        // A read-only key of the same admin, whose console opens beside the admin's.
        var issued = await admin.Http.PostAsync("/v1/users/admin/keys?scope=read-only", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var readerSigningIn = ConsoleBrowser.SignInAsync(fx.BaseUrl, (await issued.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>());
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await using var reader = await readerSigningIn;
        await console.OpenAsync("batches", "Batches");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New batch" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "New batch" });
        // A JSONL file: an object with a prompt, an empty line, a bare string.
        await dialog.GetByLabel("Or read them from a file").SetInputFilesAsync(new FilePayload
        {
            Name = "prompts.jsonl", MimeType = "application/x-ndjson",
            Buffer = Encoding.UTF8.GetBytes("{\"prompt\": \"Describe the first planet.\"}\n\n\"Describe the second planet.\"\n"),
        });
        await Assertions.Expect(dialog).ToContainTextAsync("2 prompts from prompts.jsonl");
        await Assertions.Expect(dialog.GetByTestId("prompt-count")).ToHaveTextAsync("2 prompts will be sent.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Submit the batch" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();

        var row = console.Page.GetByRole(AriaRole.Table, new() { Name = "Jobs" }).Locator("tbody tr", new() { HasText = "house" });
        await Assertions.Expect(row).ToContainTextAsync("running", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("0 of 2");

        // The read-only key lists the running job but may neither stop it nor submit another.
        await reader.OpenAsync("batches", "Batches");
        var readerStop = reader.Page.Locator("tbody tr", new() { HasText = "house" }).GetByRole(AriaRole.Button, new() { Name = "Stop" });
        await Assertions.Expect(readerStop).ToBeDisabledAsync();
        await Assertions.Expect(readerStop).ToHaveAttributeAsync("title", "Read-only key: changes need an admin key.");
        await Assertions.Expect(reader.Page.GetByRole(AriaRole.Button, new() { Name = "New batch" })).ToBeDisabledAsync();
        Assert.Empty(reader.Errors);
        // The reader leaves the page while the job still runs: their console asks no more.
        await reader.OpenAsync("users", "Users & keys");
        var readerAsked = 0;
        reader.Page.Request += (_, r) => { if (r.Url.Contains("/v1/batches", StringComparison.Ordinal)) Interlocked.Increment(ref readerAsked); };
        Assert.Contains(fx.Model.Requests, r => r.Model == slow); // the first prompt is being answered

        await row.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("cancelled");
        // Nothing runs any more: from here on the page does not ask for the list again.
        var stopped = Stopwatch.StartNew();
        var asked = 0;
        console.Page.Request += (_, r) => { if (r.Url.Contains("/v1/batches", StringComparison.Ordinal)) Interlocked.Increment(ref asked); };
        await Assertions.Expect(row).ToContainTextAsync("2 of 2");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToHaveCountAsync(0);
        await console.ScreenshotAsync("admin-batches-stopped");

        var job = Assert.Single((await admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray())!;
        Assert.Equal(("cancelled", 0, 2), (job["status"]!.GetValue<string>(), job["succeeded"]!.GetValue<int>(), job["failed"]!.GetValue<int>()));
        // The prompt in flight was stopped mid-answer (and billed for it); the other one never ran.
        var items = (await admin.GetJsonAsync($"/v1/batches/{job["jobId"]!.GetValue<string>()}/results"))["items"]!.AsArray();
        Assert.Equal(("failed", "Cancelled while it was being answered."), (items[0]!["status"]!.GetValue<string>(), items[0]!["error"]!.GetValue<string>()));
        Assert.True(items[0]!["completionTokens"]!.GetValue<int>() is > 0 and < 400, "the first answer was cut short");
        Assert.Equal(("cancelled", "Describe the second planet."), (items[1]!["status"]!.GetValue<string>(), items[1]!["prompt"]!.GetValue<string>()));

        // Longer than the page's 2 s between asks.
        await Task.Delay(TimeSpan.FromMilliseconds(2_500) - stopped.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
        Assert.Equal((0, 0), (Volatile.Read(ref asked), Volatile.Read(ref readerAsked)));
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "New batch opened before the model catalog has arrived says it is loading, then offers the first model, and the batch is taken")]
    public async Task New_batch_opened_before_the_catalog_arrives_takes_the_first_model()
    {
        var (_, adminKey, tenantId) = await fx.NewReaderWithAdminAsync();
        using var admin = fx.As(adminKey);
        var echo = $"echo-{tenantId}";
        fx.Model.Control.SetModel(echo, new ModelBehavior { Echo = true, TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(10) });
        await RegisterAsync(admin, "house", echo);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        // A slow network: the catalog arrives 2 s after the page asks for it, and the dialog is opened before that.
        await console.Page.RouteAsync("**/v1/routing", async route => { await Task.Delay(2000); await route.ContinueAsync(); });
        await console.Page.EvaluateAsync("() => { location.hash = '#/batches'; }");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New batch" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog, new() { Name = "New batch" });
        await Assertions.Expect(dialog.GetByRole(AriaRole.Status)).ToHaveTextAsync("Loading…");
        await Assertions.Expect(dialog).Not.ToContainTextAsync("no model");

        var model = dialog.GetByRole(AriaRole.Combobox, new() { Name = "Model", Exact = true });
        await Assertions.Expect(model).ToHaveValueAsync("house", new() { Timeout = 10_000 });
        await dialog.GetByLabel("Prompts (one a line)").FillAsync(Planets[0]);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Submit the batch" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        var job = Assert.Single((await admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray())!;
        Assert.Equal("house", job["modelId"]!.GetValue<string>());
        Assert.Empty(console.Errors);
    }

    // A catalog model answered by the test model under `modelName`, and the routing policy a batch needs beside it.
    private async Task RegisterAsync(ApiClient admin, string id, string modelName)
    {
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
        {
            endpoint = fx.Model.BaseUrl, modelName, tier = "small", inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
        }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = id, largeModelId = id }), HttpStatusCode.OK);
    }
}
