namespace Conversations.IntegrationTests.Browser;

/// <summary>The admin console at /admin/ in headless Chromium against a real platform process; every scenario keeps a screenshot.</summary>
public sealed class AdminConsoleTests(PlatformFixture fx) : PlatformTests
{
    private const string Fact = "The Zephyr garage opens at 6:15 on weekdays and closes at 22:40.";

    [Fact(DisplayName = "An admin revokes a label grant in the ACL editor, and the user's next answer no longer cites that document")]
    public async Task Revoking_a_grant_in_the_console_stops_citations()
    {
        var (admin, user) = await fx.NewUnlimitedTenantAsync("cacl");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "facilities/staff" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/manager", new { includes = new[] { "staff" }, labels = Array.Empty<string>() }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "garage", title = "Garage hours", label = "facilities/staff", content = Fact } },
        }), HttpStatusCode.OK);
        var conversation = await user.CreateConversationAsync();
        var before = await user.SendAsync(conversation, "When does the Zephyr garage open?");
        Assert.Contains("garage", Cited(before));

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("access", "Roles & access");
        var chip = console.Page.Locator("[data-role=staff] [data-label='facilities/staff']");
        await chip.WaitForAsync();
        await console.ScreenshotAsync("admin-acl-editor");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke facilities/staff from staff" }).ClickAsync();
        // Asked first: Cancel keeps the grant, Revoke takes it away.
        var confirm = console.Page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(confirm).ToContainTextAsync("Revoke facilities/staff from staff?");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(chip).ToHaveCountAsync(1);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Revoke facilities/staff from staff" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await chip.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        // What alice may read now, as the editor shows it.
        await console.Page.GetByLabel("User to check").FillAsync("alice");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "What can they read?" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByTestId("user-labels")).ToContainTextAsync("no labels");
        await console.ScreenshotAsync("admin-acl-revoked");

        // A new conversation, so the answer can only come from what retrieval lets through, not from the earlier turn.
        var after = await user.SendAsync(await user.CreateConversationAsync(), "When does the Zephyr garage open?");
        after.Done();
        Assert.DoesNotContain("garage", Cited(after));
        Assert.DoesNotContain("6:15", after.AnswerText());
    }

    [Fact(DisplayName = "An upload shows its progress (bytes sent, then chunks embedded) and the document is listed when it ends")]
    public async Task Upload_shows_progress_and_lists_the_document()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("cup");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("documents", "Documents");
        // The room left under the per-tenant chunk limit shows before the first upload.
        await Assertions.Expect(console.Page.Locator("[data-chunk-usage]")).ToHaveTextAsync("0 of 1,000,000 chunks used");
        // Every value the progress bar takes, recorded as it changes.
        await console.Page.EvaluateAsync("""
            () => { window.progressSeen = []; new MutationObserver(() => {
              const bar = document.querySelector('[role=progressbar]');
              if (bar) window.progressSeen.push(Number(bar.getAttribute('aria-valuenow')));
            }).observe(document.body, { subtree: true, childList: true, attributes: true }); }
            """);
        await console.Page.GetByLabel("Files (.md, .txt)").SetInputFilesAsync(new FilePayload
        {
            Name = "travel-handbook.md", MimeType = "text/markdown", Buffer = Encoding.UTF8.GetBytes(Handbook(800)),
        });
        await console.Page.GetByLabel("Label", new() { Exact = true }).FillAsync("handbook/all");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        var progress = console.Page.GetByTestId("upload-progress");
        // Caught mid-way: the bytes are sent and the server is embedding chunks.
        await console.Page.WaitForFunctionAsync("() => { const p = document.querySelector('[data-testid=upload-progress]'); return p && p.dataset.phase === 'index' && +p.dataset.percent > 50; }",
            null, new() { PollingInterval = 20, Timeout = 60_000 });
        await console.ScreenshotAsync("admin-upload-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = 60_000 });
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
        var seen = await console.Page.EvaluateAsync<int[]>("() => window.progressSeen");
        Assert.Contains(seen, v => v is > 0 and < 100); // it moved through the middle, not straight to done
        Assert.Equal(seen.Order(), seen); // and never went back
        await Assertions.Expect(progress).ToContainTextAsync("Done: 1 of 1 documents stored");

        var row = console.Page.Locator("[data-document=travel-handbook]");
        await row.WaitForAsync();
        await Assertions.Expect(console.Page.Locator("tr", new() { Has = row })).ToContainTextAsync("handbook/all");
        await console.ScreenshotAsync("admin-upload-done");
        using var admin = fx.As(adminKey);
        var listed = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/knowledge/documents"))!["documents"]!.AsArray();
        Assert.Contains(listed, d => d!["documentId"]!.GetValue<string>() == "travel-handbook" && d["chunkCount"]!.GetValue<int>() > 1);
        // And the count follows the upload without a reload.
        var chunks = listed.Single(d => d!["documentId"]!.GetValue<string>() == "travel-handbook")!["chunkCount"]!.GetValue<int>();
        await Assertions.Expect(console.Page.Locator("[data-chunk-usage]")).ToHaveTextAsync($"{chunks} of 1,000,000 chunks used");
    }

    [Fact(DisplayName = "An upload that moves stored documents to another label names each one with old → new label and warns that the old label's readers lost them")]
    public async Task Upload_that_relabels_names_the_moved_documents()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("curl");
        using var admin = fx.As(adminKey);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "policy", title = "policy", label = "hr/all", content = Fact },
                new { id = "guide", title = "guide", label = "hr/all", content = "The old guide." },
            },
        }), HttpStatusCode.OK);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("documents", "Documents");
        await console.Page.GetByLabel("Files (.md, .txt)").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "policy.md", MimeType = "text/markdown", Buffer = Encoding.UTF8.GetBytes(Fact) },
            new FilePayload { Name = "guide.md", MimeType = "text/markdown", Buffer = Encoding.UTF8.GetBytes("The new guide says more.") },
        });
        await console.Page.GetByLabel("Label", new() { Exact = true }).FillAsync("handbook/all");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        // Both documents are stored already: the console names them and asks before moving them.
        var ask = console.Page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(ask).ToContainTextAsync("policy");
        await Assertions.Expect(ask).ToContainTextAsync("hr/all");
        await ask.GetByRole(AriaRole.Button, new() { Name = "Move and replace" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByTestId("upload-progress")).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = 60_000 });
        var replaced = console.Page.GetByTestId("upload-replaced");
        await Assertions.Expect(replaced).ToHaveAttributeAsync("role", "alert");
        await Assertions.Expect(replaced).ToContainTextAsync("readers of their old label no longer have access");
        await Assertions.Expect(replaced.Locator("[data-replaced=policy]")).ToHaveTextAsync("policy relabeled hr/all → handbook/all");
        await Assertions.Expect(replaced.Locator("[data-replaced=guide]")).ToHaveTextAsync("guide replaced hr/all → handbook/all");
        await console.ScreenshotAsync("admin-upload-relabeled");

        // The API's own answer names the label each document left; one uploaded again under the same label names none.
        var again = await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "policy", title = "Policy", label = "handbook/all", content = Fact } },
        });
        var result = (await again.Content.ReadFromJsonAsync<JsonNode>())!["documents"]![0]!;
        Assert.Equal("relabeled", result["status"]!.GetValue<string>());
        Assert.Null(result["previousLabel"]);
    }

    [Fact(DisplayName = "Settings exports the tenant: Start export lists the export, it becomes ready, and Download saves the zip the API serves; a user id that is no user is refused in words")]
    public async Task Tenant_export_is_started_followed_and_downloaded()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("cexp");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("settings", "Settings");
        var card = console.Page.Locator("div.card", new() { Has = console.Page.GetByRole(AriaRole.Heading, new() { Name = "Data exports" }) });
        await card.GetByRole(AriaRole.Button, new() { Name = "Start export" }).ClickAsync();
        var row = card.Locator("tbody tr").First;
        await Assertions.Expect(row).ToContainTextAsync("the whole tenant");
        await Assertions.Expect(row.Locator("td[data-label=Status]")).ToContainTextAsync("ready", new() { Timeout = 60_000 });
        var download = await console.Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        Assert.EndsWith(".zip", download.SuggestedFilename);
        using (var zip = System.IO.Compression.ZipFile.OpenRead((await download.PathAsync())!))
            Assert.Contains(zip.Entries, e => e.Name == "manifest.json");
        await console.ScreenshotAsync("admin-settings-exports");

        await card.GetByLabel("User id (empty: the whole tenant)").FillAsync("nobody-here");
        await card.GetByRole(AriaRole.Button, new() { Name = "Start export" }).ClickAsync();
        await Assertions.Expect(card.Locator(".note.error")).ToContainTextAsync("nobody-here");
    }

    [Fact(DisplayName = "An upload that stores none of its documents says 0 of 1 stored in the error style, and gives no label warning")]
    public async Task Upload_that_stores_nothing_says_so()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("cupe");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, adminKey);
        await console.OpenAsync("documents", "Documents");
        await console.Page.GetByLabel("Files (.md, .txt)").SetInputFilesAsync(new FilePayload { Name = "empty.md", MimeType = "text/markdown", Buffer = [] });
        await console.Page.GetByLabel("Label", new() { Exact = true }).FillAsync("junk");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        var progress = console.Page.GetByTestId("upload-progress");
        await Assertions.Expect(progress).ToHaveAttributeAsync("data-phase", "done", new() { Timeout = 60_000 });
        await Assertions.Expect(progress).ToContainTextAsync("0 of 1 documents stored");
        await Assertions.Expect(progress).ToHaveClassAsync(new Regex(@"\bfailed\b"));
        await Assertions.Expect(console.Page.Locator(".results")).ToContainTextAsync("empty");
        // Nothing was stored under the label, so there is nothing for a role to be granted yet.
        await console.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(console.Page.GetByTestId("label-unread")).ToHaveCountAsync(0);
        await console.ScreenshotAsync("admin-upload-stored-nothing");
    }

    [Fact(DisplayName = "The usage charts are drawn from real turns: the turns series matches the usage API, per day and in total, in light and dark")]
    public async Task Usage_chart_is_drawn_from_real_turns()
    {
        var (admin, user) = await fx.NewUnlimitedTenantAsync("cuse");
        await admin.CreateUserWithKeyAsync("bob");
        var conversation = await user.CreateConversationAsync();
        foreach (var q in new[] { "What is our refund policy?", "How do I reset a password?", "Who approves travel?" })
            (await user.SendAsync(conversation, q)).Done();
        var report = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/usage"))!;
        var turns = report["totals"]!["turns"]!.GetValue<int>();
        Assert.Equal(3, turns);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("usage", "Usage & cost");
        var chart = console.Page.GetByTestId("usage-turns-chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-drawn", "true");
        var labels = JsonNode.Parse((await chart.GetAttributeAsync("data-labels"))!)!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        var series = JsonNode.Parse((await chart.GetAttributeAsync("data-series"))!)!.AsArray();
        var chat = series.Single(s => s!["label"]!.GetValue<string>() == "Chat turns")!["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(30, labels.Count);
        Assert.Equal(today, labels[^1]);
        Assert.Equal(turns, chat[^1]);
        Assert.Equal(turns, chat.Sum());
        // The canvas was really painted: enough coloured pixels for axes and bars.
        var painted = await chart.Locator("canvas").EvaluateAsync<int>("""
            c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                   for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }
            """);
        Assert.True(painted > 2000, $"only {painted} pixels painted");
        // The per-user chart names alice, the only user with turns; the totals card shows the three turns.
        var byUser = JsonNode.Parse((await console.Page.GetByTestId("usage-user-chart").GetAttributeAsync("data-labels"))!)!.AsArray();
        Assert.Equal(["alice"], byUser.Select(l => l!.GetValue<string>()));
        await Assertions.Expect(console.Page.Locator(".stat", new() { HasText = "Turns" }).First).ToContainTextAsync("3");
        // Tokens say why they are none when no model wrote the answers (quoted, cached or canned), else what they were.
        var tokens = console.Page.Locator(".stat", new() { HasText = "Tokens" }).First;
        if (report["totals"]!["modelCalls"]!.GetValue<long>() == 0) await Assertions.Expect(tokens).ToContainTextAsync("No model wrote these answers");
        else await Assertions.Expect(tokens).ToContainTextAsync("prompt");
        await Assertions.Expect(console.Page.Locator("figure.chart")).ToHaveCountAsync(4);
        foreach (var drawn in await console.Page.Locator("figure.chart").AllAsync()) await Assertions.Expect(drawn).ToHaveAttributeAsync("data-drawn", "true");
        await console.ScreenshotAsync("admin-usage-charts", fullPage: true);
        // The rows table filters as the admin types.
        var rows = console.Page.GetByRole(AriaRole.Table, new() { Name = "Usage rows" }).Locator("tbody tr");
        await console.Page.GetByLabel("Filter usage rows").FillAsync("bob");
        await Assertions.Expect(rows).ToHaveTextAsync(["Nothing here yet."]);
        await console.Page.GetByLabel("Filter usage rows").FillAsync("alice");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("3");
        await console.OpenAsync("overview", "Welcome, Administrator");
        await Assertions.Expect(console.Page.GetByTestId("overview-turns-chart")).ToHaveAttributeAsync("data-drawn", "true");
        await console.ScreenshotAsync("admin-dashboard");

        // The same charts in a browser that prefers dark.
        await using var dark = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key, ColorScheme.Dark);
        await dark.OpenAsync("usage", "Usage & cost");
        await Assertions.Expect(dark.Page.Locator("figure.chart")).ToHaveCountAsync(4);
        foreach (var drawn in await dark.Page.Locator("figure.chart").AllAsync()) await Assertions.Expect(drawn).ToHaveAttributeAsync("data-drawn", "true");
        await dark.ScreenshotAsync("admin-usage-charts-dark", fullPage: true);
    }

    [Fact(DisplayName = "An operator key opens the tenants page: a tenant created there is listed and its admin key signs in to its console")]
    public async Task Operator_creates_and_lists_tenants()
    {
        var tenant = TestIds.Tenant("cop");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, PlatformFixture.OperatorKey);
        await console.OpenAsync("tenants", "Tenants");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New tenant" }).ClickAsync();
        await console.Page.GetByLabel("Tenant id").FillAsync(tenant);
        await console.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Console Test Co");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var key = await console.Page.GetByTestId("tenant-admin-key").InnerTextAsync();
        // The note says where the key is used, and copies it.
        var created = console.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "created" });
        await Assertions.Expect(created).ToContainTextAsync("The tenant's first admin, admin, signs in with it here at /admin/");
        await console.Page.EvaluateAsync("() => Object.defineProperty(navigator, 'clipboard', { value: { writeText: async text => { window.copied = text; } }, configurable: true })");
        await created.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        Assert.Equal(key.Trim(), await console.Page.EvaluateAsync<string>("() => window.copied"));
        await console.Page.GetByLabel("Search").FillAsync(tenant);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator("table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(console.Page.Locator("table tbody tr")).ToContainTextAsync("Console Test Co");
        await console.ScreenshotAsync("admin-tenants");

        await using var tenantConsole = await ConsoleBrowser.SignInAsync(fx.BaseUrl, key.Trim());
        await Assertions.Expect(tenantConsole.Page.GetByTestId("who-role")).ToContainTextAsync(tenant);
    }

    [Fact(DisplayName = "Every section of the console opens without a script error; a user and key are created, and a canary is rolled back from it")]
    public async Task Every_section_opens_and_acts()
    {
        var (admin, user) = await fx.NewUnlimitedTenantAsync("ctour");
        var conversation = await user.CreateConversationAsync();
        var seq = (await user.SendAsync(conversation, "What is the travel policy?")).Done()["assistantMessageSeq"]!.GetValue<long>();
        await ApiClient.EnsureAsync(await user.Http.PostAsJsonAsync($"/v1/conversations/{conversation}/messages/{seq}/feedback", new { rating = "down", comment = "Too short." }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/internal", new { words = new[] { "project-x" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        foreach (var (id, tier) in new[] { ("small-1", "small"), ("large-1", "large"), ("large-2", "large") })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = "http://127.0.0.1:9/v1", modelName = id, tier, inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
            }), HttpStatusCode.OK);
        }
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new
        {
            smallModelId = "small-1", largeModelId = "large-1", monthlyBudgetUsd = 25m,
            canary = new { candidateModelId = "large-2", baselineModelId = "large-1", share = 0.1 },
        }), HttpStatusCode.OK);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var sections = new[]
        {
            ("overview", "Welcome, Administrator"), ("usage", "Usage & cost"), ("users", "Users & keys"), ("access", "Roles & access"),
            ("documents", "Documents"), ("models", "Models & routing"), ("canary", "Canary"), ("evaluations", "Evaluations"), ("budget", "Budget"),
            ("moderation", "Lexicons & limits"), ("moderation-events", "Moderation events"), ("feedback", "Feedback"),
            ("routing-events", "Routing events"), ("settings", "Settings"),
        };
        foreach (var (id, title) in sections)
        {
            await console.OpenAsync(id, title);
            await Assertions.Expect(console.Page.Locator("[aria-busy=true]")).ToHaveCountAsync(0);
            await console.ScreenshotAsync($"admin-section-{id}");
        }

        // What the API holds shows on its page.
        await console.OpenAsync("feedback", "Feedback");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("Too short.");
        await console.OpenAsync("moderation", "Lexicons & limits");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("project-x");
        await console.OpenAsync("models", "Models & routing");
        await Assertions.Expect(console.Page.Locator("table tbody tr")).ToHaveCountAsync(3);
        await console.OpenAsync("budget", "Budget");
        await Assertions.Expect(console.Page.Locator(".stat").First).ToContainTextAsync("$25.00");

        // A user and a key, made in the console, work against the API.
        await console.OpenAsync("users", "Users & keys");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        await console.Page.GetByLabel("User id").FillAsync("dana");
        await console.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Dana Li");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var dana = console.Page.Locator("tr", new() { HasText = "Dana Li" });
        await dana.GetByRole(AriaRole.Button, new() { Name = "Keys" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        var key = (await console.Page.GetByTestId("issued-key").InnerTextAsync()).Trim();
        await console.ScreenshotAsync("admin-user-key-issued");
        using var danaClient = fx.As(key);
        Assert.Equal("Dana Li", (await danaClient.Http.GetFromJsonAsync<JsonNode>("/v1/me"))!["displayName"]!.GetValue<string>());

        // The canary is rolled back from its page, and the rollback is in the routing events.
        await console.OpenAsync("canary", "Canary");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        // The page asks for the reason in its own dialog; the reason goes into the routing event.
        var ask = console.Page.GetByRole(AriaRole.Alertdialog);
        await ask.GetByLabel("Why roll back? (kept in the routing events)").FillAsync("answers were too long");
        await ask.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Start a canary" }).WaitForAsync();
        Assert.Null((await admin.Http.GetFromJsonAsync<JsonNode>("/v1/routing"))!["policy"]!["canary"]);
        await console.OpenAsync("routing-events", "Routing events");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("canary-rolled-back");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("answers were too long");

        // On a phone the sections are a drawer behind the menu button.
        await console.Page.SetViewportSizeAsync(390, 844);
        await console.OpenAsync("overview", "Welcome, Administrator");
        await Assertions.Expect(console.Page.Locator(".sidebar")).Not.ToBeInViewportAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Open the menu" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator(".sidebar")).ToBeInViewportAsync();
        await console.ScreenshotAsync("admin-phone-menu");
        await console.Page.Locator(".sidebar").GetByRole(AriaRole.Link, new() { Name = "Usage & cost" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Heading, new() { Name = "Usage & cost", Level = 1 }).WaitForAsync();
        await Assertions.Expect(console.Page.Locator(".sidebar")).Not.ToBeInViewportAsync();
        await console.ScreenshotAsync("admin-phone-usage");

        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "A name or id of only spaces is refused next to its field before any request, in every console form that puts one in a URL")]
    public async Task Blank_names_are_refused_before_any_request()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cblank");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };

        await console.OpenAsync("moderation", "Lexicons & limits");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New lexicon" }).ClickAsync();
        await RefusedAsync(console, "Name", "admin-blank-lexicon");

        await console.OpenAsync("models", "Models & routing");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Register model" }).ClickAsync();
        var model = console.Page.GetByRole(AriaRole.Dialog);
        await model.GetByLabel("Model name at the endpoint").FillAsync("m");
        await model.GetByLabel("Endpoint (OpenAI-compatible, with /v1)").FillAsync("http://127.0.0.1:9/v1");
        await model.GetByLabel("Input USD / M", new() { Exact = true }).FillAsync("1");
        await model.GetByLabel("Output USD / M", new() { Exact = true }).FillAsync("1");
        await RefusedAsync(console, "Id", "admin-blank-model");

        await console.OpenAsync("access", "Roles & access");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New role" }).ClickAsync();
        await RefusedAsync(console, "Name", "admin-blank-role");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Assign roles to a user" }).ClickAsync();
        await RefusedAsync(console, "User id", "admin-blank-user-roles");

        lock (writes) Assert.Empty(writes);
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "Models & routing shows beside a model's circuit its error rate and last failure: an endpoint that refuses connections reads unreachable, not a healthy green circuit")]
    public async Task Unreachable_model_shows_its_failures_beside_the_circuit()
    {
        var (admin, user) = await fx.NewUnlimitedTenantAsync("cdead");
        // A port nobody listens on: every call is refused before any answer.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/dead", new
        {
            endpoint = $"http://127.0.0.1:{port}/v1", apiKey = "k", modelName = "dead", tier = "small",
            inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000,
        }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new
        {
            smallModelId = "dead", largeModelId = "dead", exactCache = false, semanticCache = false, hardCodedReplies = false,
        }), HttpStatusCode.OK);
        JsonNode? health = null;
        for (var i = 0; i < 20 && health?["lastFailureKind"] is null; i++)
        {
            await user.SendAsync(await user.CreateConversationAsync(), $"Explain the parking rules for building {i}");
            health = (await admin.GetJsonAsync("/v1/routing/health")).AsArray().Single(h => h!["modelId"]!.GetValue<string>() == "dead")!["health"];
        }
        Assert.Equal("Connection", health?["lastFailureKind"]?.GetValue<string>());

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("models", "Models & routing");
        var circuit = console.Page.Locator("tr", new() { HasText = "dead" }).Locator("[data-circuit]");
        await Assertions.Expect(circuit).ToContainTextAsync(new Regex(@"100% of \d+ calls failed"));
        await Assertions.Expect(circuit).ToContainTextAsync("last: unreachable (connection failed)");
        // Closed (the breaker waits for more failures) or open, never the healthy tone.
        await Assertions.Expect(circuit.Locator(".badge")).Not.ToHaveClassAsync(new Regex(@"\btone-ok\b"));
        await console.ScreenshotAsync("admin-model-unreachable");
    }

    [Fact(DisplayName = "The Keys dialog issues a read-only key (listed as read only, refused a chat message) and rotates a key after asking: the successor is shown once and both keys are listed")]
    public async Task Keys_are_issued_with_a_scope_and_rotated()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("ckey");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("users", "Users & keys");
        await console.Page.Locator("tr", new() { HasText = "alice" }).GetByRole(AriaRole.Button, new() { Name = "Keys" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Allows").SelectOptionAsync("read-only");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        var readOnlyKey = (await dialog.GetByTestId("issued-key").InnerTextAsync()).Trim();
        var keyId = readOnlyKey.Split('_')[1];
        var row = dialog.Locator("tr", new() { HasText = keyId });
        await Assertions.Expect(row.Locator("td[data-label=Allows]")).ToHaveTextAsync("read only");
        using (var readOnly = fx.As(readOnlyKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await readOnly.Http.GetAsync("/v1/conversations")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.Http.PostAsJsonAsync("/v1/conversations", new { title = "no" })).StatusCode);
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        var confirm = console.Page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(confirm).ToContainTextAsync($"Rotate key {keyId}?");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Rotate" }).ClickAsync();
        await Assertions.Expect(dialog.GetByTestId("issued-key")).Not.ToHaveTextAsync(readOnlyKey);
        var successor = (await dialog.GetByTestId("issued-key").InnerTextAsync()).Trim();
        await Assertions.Expect(dialog.Locator("tr", new() { HasText = successor.Split('_')[1] })).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToHaveCountAsync(1); // the old key still works for its overlap
        using var next = fx.As(successor);
        Assert.Equal(HttpStatusCode.OK, (await next.Http.GetAsync("/v1/conversations")).StatusCode);
    }

    [Fact(DisplayName = "Number fields are checked in the browser: an out-of-range or fractional value is refused with the field's label and range, nothing is sent, and the message goes on the next edit")]
    public async Task Number_fields_are_checked_before_sending()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cnum");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };

        // Issue key: a real form submit, checked against the field's 1–3650.
        await console.OpenAsync("users", "Users & keys");
        await console.Page.Locator("tr", new() { HasText = "alice" }).GetByRole(AriaRole.Button, new() { Name = "Keys" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog);
        var days = dialog.GetByLabel("Expires after (days)");
        foreach (var bad in new[] { "99999999999", "1.5", "0", "1e2" })
        {
            await days.FillAsync(bad);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
            await Assertions.Expect(dialog.Locator(".note.error")).ToHaveTextAsync("Expires after (days) must be a whole number from 1 to 3,650.");
            await Assertions.Expect(days).ToHaveAttributeAsync("aria-invalid", "true");
        }
        await console.ScreenshotAsync("admin-key-days-refused");
        await days.FillAsync("30");
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveCountAsync(0);
        lock (writes) Assert.Empty(writes);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        await dialog.GetByTestId("issued-key").WaitForAsync();
        lock (writes) { Assert.Single(writes); Assert.Contains("expiresInDays=30", writes[0]); writes.Clear(); }
        // Copy works where the Clipboard API does not (plain http from a LAN host): the key is selected and copied.
        await console.Page.EvaluateAsync("""
            () => { Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
                    document.execCommand = () => { const a = [...document.querySelectorAll('textarea')].pop();
                      window.copied = a.value.slice(a.selectionStart, a.selectionEnd); return true; }; }
            """);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        Assert.Equal((await dialog.GetByTestId("issued-key").InnerTextAsync()).Trim(), await console.Page.EvaluateAsync<string>("() => window.copied"));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        // Register model: a price past the platform's 1,000,000 USD a million tokens (1e30 is past what it can hold at all).
        await console.OpenAsync("models", "Models & routing");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Register model" }).ClickAsync();
        await dialog.GetByLabel("Id", new() { Exact = true }).FillAsync("pricey");
        await dialog.GetByLabel("Model name at the endpoint").FillAsync("m1");
        await dialog.GetByLabel("Endpoint (OpenAI-compatible, with /v1)").FillAsync("https://models.example.com/v1");
        await dialog.GetByLabel("Input USD / M", new() { Exact = true }).FillAsync("1e30");
        await dialog.GetByLabel("Output USD / M").FillAsync("2");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveTextAsync("Input USD / M must be a number from 0 to 1,000,000.");
        await console.ScreenshotAsync("admin-model-price-refused");
        lock (writes) Assert.Empty(writes);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        // Settings: a budget past the platform's range is refused before the PATCH, and editing another field clears it.
        await console.OpenAsync("settings", "Settings");
        await console.Page.GetByLabel("Context budget (tokens)").FillAsync("999999999999");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator(".note.error")).ToHaveTextAsync("Context budget (tokens) must be a whole number from 1,000 to 1,000,000.");
        await console.ScreenshotAsync("admin-settings-refused");
        await console.Page.GetByLabel("Tenant name").FillAsync("Numbers Co");
        await Assertions.Expect(console.Page.Locator(".note.error")).ToHaveCountAsync(0);

        // Lexicons & limits: 1e30 requests a minute.
        await console.OpenAsync("moderation", "Lexicons & limits");
        await console.Page.GetByLabel("Requests a minute per user").FillAsync("1e30");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator(".note.error")).ToHaveTextAsync("Requests a minute per user must be a whole number from 1 to 1,000,000,000.");
        lock (writes) Assert.Empty(writes);

        // Published contacts, one a line, saved with the limits: the platform holds the list.
        await console.Page.GetByLabel("Requests a minute per user").FillAsync("60");
        await console.Page.GetByLabel("Published contacts").FillAsync("hr@numbers.example\n@help.numbers.example");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved." })).ToBeVisibleAsync();
        Assert.Equal(["hr@numbers.example", "@help.numbers.example"],
            (await admin.GetJsonAsync("/v1/moderation/settings"))["publicContacts"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "The new tenant dialog's id pattern compiles in the browser and matches the platform's rule: a bad id is refused there with the rule, nothing is sent")]
    public async Task New_tenant_id_is_checked_by_its_pattern()
    {
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, PlatformFixture.OperatorKey);
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };
        await console.OpenAsync("tenants", "Tenants");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New tenant" }).ClickAsync();
        var id = console.Page.GetByLabel("Tenant id");
        // The pattern is a real check: what the platform accepts passes, what it refuses does not.
        foreach (var (value, valid) in new[] { ("ok-tenant-1", true), ("a1", true), ("Bad Id!!", false), ("-lead", false), ("x", false), (new string('a', 64), false) })
            Assert.True(valid == await id.EvaluateAsync<bool>("(e, v) => { e.value = v; return e.checkValidity(); }", value), value);
        await id.FillAsync("Bad Id!!");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Dialog).Locator(".note.error"))
            .ToHaveTextAsync("Tenant id: 2–63 lower-case letters, digits and -, starting with a letter or digit.");
        await console.ScreenshotAsync("admin-tenant-id-refused");
        lock (writes) Assert.Empty(writes);
        Assert.Empty(console.Errors); // no "not a valid regular expression" from the pattern
    }

    [Fact(DisplayName = "On a phone the Usage page does not scroll sideways and the Keys dialog shows Revoke on the screen")]
    public async Task Usage_and_keys_fit_a_phone()
    {
        var (admin, user) = await fx.NewUnlimitedTenantAsync("cphone");
        (await user.SendAsync(await user.CreateConversationAsync(), "What is the travel policy?")).Done();
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.Page.SetViewportSizeAsync(390, 844);
        await console.OpenAsync("usage", "Usage & cost");
        foreach (var drawn in await console.Page.Locator("figure.chart").AllAsync()) await Assertions.Expect(drawn).ToHaveAttributeAsync("data-drawn", "true");
        Assert.True(await console.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"),
            "the Usage page scrolls sideways");
        await console.ScreenshotAsync("admin-phone-usage-fits", fullPage: true);

        await console.OpenAsync("users", "Users & keys");
        await console.Page.Locator("tr", new() { HasText = "alice" }).GetByRole(AriaRole.Button, new() { Name = "Keys" }).ClickAsync();
        var revoke = console.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).First;
        await revoke.WaitForAsync();
        var box = await revoke.BoundingBoxAsync();
        Assert.True(box!.X >= 0 && box.X + box.Width <= 390, $"Revoke is at x {box.X}–{box.X + box.Width}");
        await console.ScreenshotAsync("admin-phone-keys");
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "A new user is confirmed and led to roles and a key; a user is deleted from the list after a confirmation")]
    public async Task New_user_is_led_on_and_can_be_deleted()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cnew");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("users", "Users & keys");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        await console.Page.GetByLabel("User id").FillAsync("erin");
        await console.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Erin Wu");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByTestId("user-created")).ToContainTextAsync("User Erin Wu created.");
        await Assertions.Expect(console.Page.Locator("tr", new() { HasText = "Erin Wu" })).ToContainTextAsync("no roles");
        await console.ScreenshotAsync("admin-user-created");

        // Assign roles opens the roles dialog for erin on Roles & access.
        await console.Page.GetByTestId("user-created").GetByRole(AriaRole.Link, new() { Name = "Assign roles" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByLabel("User id", new() { Exact = true })).ToHaveValueAsync("erin");
        await dialog.GetByLabel("staff").CheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        var roles = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/acl"))!["users"]!.AsArray();
        Assert.Contains(roles, u => u!["userId"]!.GetValue<string>() == "erin" && u["roles"]!.AsArray().Any(r => r!.GetValue<string>() == "staff"));

        await console.OpenAsync("users", "Users & keys");
        // The confirmation is the page's own: Cancel (or Escape) keeps the user, its Delete button deletes.
        var erin = console.Page.Locator("tr", new() { HasText = "Erin Wu" });
        await erin.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var confirm = console.Page.GetByRole(AriaRole.Alertdialog);
        await Assertions.Expect(confirm).ToContainTextAsync("Delete user Erin Wu?");
        await console.ScreenshotAsync("admin-confirm-delete-user");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(confirm).ToHaveCountAsync(0);
        await erin.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await confirm.WaitForAsync();
        await console.Page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(confirm).ToHaveCountAsync(0);
        await Assertions.Expect(erin).ToHaveCountAsync(1);
        await erin.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(erin).ToHaveCountAsync(0);
        var users = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/users"))!["users"]!.AsArray();
        Assert.DoesNotContain(users, u => u!["userId"]!.GetValue<string>() == "erin");
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "The routing policy's fallbacks and domain rules take typing key by key; they are read on Save, and a malformed rule line is named there")]
    public async Task Policy_fallbacks_and_rules_are_typed_key_by_key()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cpol");
        foreach (var (id, tier) in new[] { ("small", "small"), ("large", "large") })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = "http://127.0.0.1:9/v1", modelName = id, tier, inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
            }), HttpStatusCode.OK);
        }
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };
        await console.OpenAsync("models", "Models & routing");
        await console.Page.GetByLabel("Small model (simple questions)").SelectOptionAsync("small");
        await console.Page.GetByLabel("Large model (complex questions)").SelectOptionAsync("large");
        var fallbacks = console.Page.GetByLabel("Fallbacks, in order (comma-separated ids)");
        await fallbacks.PressSequentiallyAsync("large, small");
        await Assertions.Expect(fallbacks).ToHaveValueAsync("large, small");
        var rules = console.Page.GetByLabel("Domain rules (one a line: domain = model id)");
        await rules.PressSequentiallyAsync("legal=large\nhr = small\noops");
        await Assertions.Expect(rules).ToHaveValueAsync("legal=large\nhr = small\noops");

        // The line without "=" is named on Save, and nothing is sent.
        var save = console.Page.GetByRole(AriaRole.Button, new() { Name = "Save policy" });
        await save.ClickAsync();
        await Assertions.Expect(console.Page.Locator(".note.error")).ToHaveTextAsync("Domain rules, line 3: \"oops\" is not \"domain = model id\".");
        await console.ScreenshotAsync("admin-policy-rule-refused");
        lock (writes) Assert.Empty(writes);

        await rules.PressAsync("Control+End");
        await rules.PressSequentiallyAsync(" = large");
        await save.ClickAsync();
        // Saved and read back: the form shows the stored rules, each written "domain = model id".
        await Assertions.Expect(rules).ToHaveValueAsync("legal = large\nhr = small\noops = large");
        await Assertions.Expect(fallbacks).ToHaveValueAsync("large, small");
        var policy = (await admin.GetJsonAsync("/v1/routing"))["policy"]!;
        Assert.Equal(["large", "small"], policy["fallbackModelIds"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(["legal=large", "hr=small", "oops=large"],
            policy["domainRules"]!.AsArray().Select(r => $"{r!["domain"]!.GetValue<string>()}={r["modelId"]!.GetValue<string>()}"));
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "The routing policy form sets the learned router's threshold (blank shows and keeps the trained default) and turns escalation off and on")]
    public async Task Policy_sets_router_threshold_and_escalation()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("crth");
        foreach (var (id, tier) in new[] { ("small", "small"), ("large", "large") })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = "http://127.0.0.1:9/v1", modelName = id, tier, inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
            }), HttpStatusCode.OK);
        }
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new { smallModelId = "small", largeModelId = "large" }), HttpStatusCode.OK);
        var trained = (await admin.GetJsonAsync("/v1/routing"))["learnedRouterDefaultThreshold"]!.GetValue<double>();
        Assert.InRange(trained, 0.01, 0.99);

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("models", "Models & routing");
        var threshold = console.Page.GetByLabel("Router threshold (0–1)");
        // Blank until a tenant sets one; the trained default it stands for is shown beside it.
        await Assertions.Expect(threshold).ToHaveValueAsync("");
        await Assertions.Expect(threshold).ToHaveAttributeAsync("placeholder", trained.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(console.Page.Locator(".field-block", new() { Has = threshold })).ToContainTextAsync($"the trained default, {trained.ToString(CultureInfo.InvariantCulture)}");
        var escalation = console.Page.GetByLabel("Escalate: the large model replaces a small answer that opens unsure, before it is shown");
        await Assertions.Expect(escalation).ToBeCheckedAsync();

        await threshold.FillAsync("0.6");
        await escalation.UncheckAsync();
        var save = console.Page.GetByRole(AriaRole.Button, new() { Name = "Save policy" });
        bool IsPolicyPut(IResponse r) => r.Request.Method == "PUT" && r.Url.EndsWith("/v1/routing/policy", StringComparison.Ordinal);
        Assert.True((await console.Page.RunAndWaitForResponseAsync(() => save.ClickAsync(), IsPolicyPut)).Ok);
        var policy = (await admin.GetJsonAsync("/v1/routing"))["policy"]!;
        Assert.Equal(0.6, policy["routerThreshold"]!.GetValue<double>());
        Assert.False(policy["escalation"]!.GetValue<bool>());
        await Assertions.Expect(threshold).ToHaveValueAsync("0.6");
        await console.ScreenshotAsync("admin-policy-router-threshold");

        // Cleared again, it is the trained default (null), not 0; escalation back on.
        await threshold.FillAsync("");
        await escalation.CheckAsync();
        Assert.True((await console.Page.RunAndWaitForResponseAsync(() => save.ClickAsync(), IsPolicyPut)).Ok);
        policy = (await admin.GetJsonAsync("/v1/routing"))["policy"]!;
        Assert.Null(policy["routerThreshold"]);
        Assert.True(policy["escalation"]!.GetValue<bool>());
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "New role, New lexicon and Register model refuse a name that already exists, in the dialog, and the existing one is kept as it was")]
    public async Task New_role_and_lexicon_refuse_an_existing_name()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cdup");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/internal", new { words = new[] { "project-x" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/m1",
            new { endpoint = "https://models.example.com/v1", modelName = "m1", tier = "small", inputPerMillion = 0.1, outputPerMillion = 0.2, contextWindowTokens = 8000 }), HttpStatusCode.OK);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };

        await console.OpenAsync("access", "Roles & access");
        await console.Page.Locator("[data-role=staff]").WaitForAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New role" }).ClickAsync();
        var dialog = console.Page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("staff");
        await dialog.GetByLabel("Labels (comma-separated)").FillAsync("secret");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".field-error")).ToHaveTextAsync("A role named staff already exists: change its grants on its card.");
        await console.ScreenshotAsync("admin-role-name-taken");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        await console.OpenAsync("moderation", "Lexicons & limits");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("project-x");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New lexicon" }).ClickAsync();
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("internal");
        await dialog.GetByLabel("Words (one a line; whole words, anywhere in CJK)").FillAsync("other");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".field-error")).ToHaveTextAsync("A lexicon named internal already exists: change it with its Edit button.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        lock (writes) Assert.Empty(writes);

        // Its Edit still saves changes to the existing lexicon.
        await console.Page.Locator("tr", new() { HasText = "internal" }).GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await dialog.GetByLabel("Words (one a line; whole words, anywhere in CJK)").FillAsync("project-x\nproject-y");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("project-y");
        var staff = (await admin.GetJsonAsync("/v1/acl"))["roles"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "staff")!;
        Assert.Equal(["public"], staff["labels"]!.AsArray().Select(l => l!.GetValue<string>()));

        // A model's id too (the platform matches ids whatever their case): Register would have replaced it whole.
        int before;
        lock (writes) before = writes.Count;
        await console.OpenAsync("models", "Models & routing");
        await Assertions.Expect(console.Page.Locator("table tbody").First).ToContainTextAsync("m1");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Register model" }).ClickAsync();
        await dialog.GetByLabel("Id", new() { Exact = true }).FillAsync("M1");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".field-error").First).ToHaveTextAsync("A model with the id m1 is registered already: change it with its Edit button.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();
        lock (writes) Assert.Equal(before, writes.Count);
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "A read-only admin key gets a console that says so: the pages read as usual, and their change buttons are disabled with the reason")]
    public async Task Read_only_key_sees_a_read_only_console()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cro");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/internal", new { words = new[] { "project-x" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        var issued = await admin.Http.PostAsync("/v1/users/admin/keys?scope=read-only", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var key = (await issued.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();

        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, key);
        await console.OpenAsync("users", "Users & keys");
        await Assertions.Expect(console.Page.GetByTestId("read-only-notice")).ToContainTextAsync("This key is read-only");
        await Assertions.Expect(console.Page.Locator("tr", new() { HasText = "alice" })).ToHaveCountAsync(1);
        var newUser = console.Page.GetByRole(AriaRole.Button, new() { Name = "New user" });
        await Assertions.Expect(newUser).ToBeDisabledAsync();
        await Assertions.Expect(newUser).ToHaveAttributeAsync("title", "Read-only key: changes need an admin key.");
        await Assertions.Expect(console.Page.Locator("tr", new() { HasText = "alice" }).GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToBeDisabledAsync();
        // Reading a user's keys is still open; issuing one is not.
        await console.Page.Locator("tr", new() { HasText = "alice" }).GetByRole(AriaRole.Button, new() { Name = "Keys" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Issue key" })).ToBeDisabledAsync();
        await console.ScreenshotAsync("admin-read-only-keys");
        await console.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        await console.OpenAsync("moderation", "Lexicons & limits");
        await Assertions.Expect(console.Page.Locator("table tbody")).ToContainTextAsync("project-x");
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "New lexicon" })).ToBeDisabledAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeDisabledAsync();
        await console.OpenAsync("access", "Roles & access");
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "New role" })).ToBeDisabledAsync();
        await console.OpenAsync("settings", "Settings");
        await console.Page.GetByLabel("Tenant name").FillAsync("Changed");
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeDisabledAsync();
        await console.ScreenshotAsync("admin-read-only-settings");
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "Renaming the tenant in Settings shows the new name in the sidebar and the breadcrumb without a reload")]
    public async Task Tenant_rename_shows_in_the_shell()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cname");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("settings", "Settings");
        await console.Page.GetByLabel("Tenant name").FillAsync("Renamed Widgets Ltd");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved." })).ToBeVisibleAsync();
        await Assertions.Expect(console.Page.Locator(".sidebar .brand")).ToContainTextAsync("Renamed Widgets Ltd");
        await Assertions.Expect(console.Page.Locator(".topbar .crumb")).ToContainTextAsync("Renamed Widgets Ltd");
        await console.ScreenshotAsync("admin-tenant-renamed");
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "On a phone every console table shows its rows stacked, with their edit and delete buttons on the screen")]
    public async Task Table_actions_fit_a_phone()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("ctbl");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/a-model-with-a-rather-long-id", new
        {
            endpoint = "http://models.internal.example.com:8000/v1/with/a/long/path", modelName = "a-model", tier = "large",
            inputPerMillion = 0.5m, outputPerMillion = 1.5m, contextWindowTokens = 32000,
        }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "garage", title = "Garage hours", label = "facilities/staff", content = Fact } },
        }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/internal", new { words = new[] { "project-x" }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "facilities/staff" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/evaluations/sets", new
        {
            name = "A set with a rather long name for a phone", cases = new[] { new { question = "When does the garage open?", userId = "alice" } },
        }), HttpStatusCode.Created);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.Page.SetViewportSizeAsync(390, 844);
        foreach (var (section, title, buttons) in new[]
        {
            ("models", "Models & routing", 2), ("documents", "Documents", 1), ("moderation", "Lexicons & limits", 2), ("access", "Roles & access", 1),
            ("evaluations", "Evaluations", 2),
        })
        {
            await console.OpenAsync(section, title);
            var inTables = console.Page.Locator("table tbody button");
            await Assertions.Expect(inTables, section).ToHaveCountAsync(buttons);
            foreach (var button in await inTables.AllAsync())
            {
                // Only the x matters, and it is read as laid out: scrolling the button into view would scroll a wide table sideways.
                var box = await button.BoundingBoxAsync();
                Assert.True(box!.X >= 0 && box.X + box.Width <= 390, $"{section}: {await button.InnerTextAsync()} is at x {box.X}–{box.X + box.Width}");
            }
            await console.ScreenshotAsync($"admin-phone-table-{section}");
        }
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "At desktop widths the row buttons of the lexicon, model and document tables sit inside their card and take a click")]
    public async Task Table_actions_fit_a_desktop()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cwide");
        foreach (var id in new[] { "a-model-with-a-rather-long-id", "another-model-with-a-long-id" })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = "http://models.internal.example.com:8000/v1/with/a/long/path", modelName = id, tier = "large",
                inputPerMillion = 1234.5678m, cachedInputPerMillion = 123.4567m, outputPerMillion = 2345.6789m, contextWindowTokens = 1000000,
            }), HttpStatusCode.OK);
        }
        foreach (var name in new[] { "internal-projects", "competitor-names" })
        {
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/moderation/lexicons/{name}", new
            {
                words = new[] { "doomsday device", "project-x", "project-y", "skunkworks", "the big secret" }, riskLevel = "medium", action = "mask",
            }), HttpStatusCode.OK);
        }
        await ApiClient.EnsureAsync(await admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[] { new { id = "garage-opening-hours-and-parking-rules", title = "Garage opening hours and parking rules for visitors", label = "facilities/staff", content = Fact } },
        }), HttpStatusCode.OK);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        foreach (var (width, height) in new[] { (1024, 768), (1280, 800) })
        {
            await console.Page.SetViewportSizeAsync(width, height);
            foreach (var (section, title, buttons) in new[] { ("moderation", "Lexicons & limits", 4), ("models", "Models & routing", 4), ("documents", "Documents", 1) })
            {
                await console.OpenAsync(section, title);
                var inTables = console.Page.Locator("table tbody button");
                await Assertions.Expect(inTables, section).ToHaveCountAsync(buttons);
                foreach (var button in await inTables.AllAsync())
                {
                    // Read as laid out, before any click scrolls the table: the button lies within its card and the window.
                    var box = (await button.BoundingBoxAsync())!;
                    var card = (await button.Locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' card ')][1]").BoundingBoxAsync())!;
                    var where = $"{section} at {width}: {await button.InnerTextAsync()} is at x {box.X}–{box.X + box.Width}, its card {card.X}–{card.X + card.Width}";
                    Assert.True(box.X >= card.X && box.X + box.Width <= card.X + card.Width && box.X + box.Width <= width, where);
                    await button.ClickAsync(new() { Trial = true, Timeout = 5_000 });
                }
                await console.ScreenshotAsync($"admin-desktop-table-{section}-{width}");
            }
        }
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "A refused save of the moderation settings is told next to the Save button, on the screen, not at the top of the card")]
    public async Task Moderation_save_error_is_next_to_save()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cmsave");
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.Page.SetViewportSizeAsync(1280, 800);
        await console.OpenAsync("moderation", "Lexicons & limits");
        var contacts = console.Page.GetByLabel("Published contacts");
        await contacts.FillAsync("not-an-address");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var note = console.Page.Locator(".note.error");
        await Assertions.Expect(note).ToContainTextAsync("not-an-address");
        await Assertions.Expect(note).ToBeInViewportAsync();
        // Below the field that was typed in, so it sits by the button rather than at the top of the form.
        Assert.True((await note.BoundingBoxAsync())!.Y > (await contacts.BoundingBoxAsync())!.Y, "the error is above the form's last field");
        await console.ScreenshotAsync("admin-moderation-save-refused");
        Assert.DoesNotContain("not-an-address", await admin.Http.GetStringAsync("/v1/moderation/settings"));
    }

    [Fact(DisplayName = "Lexicons & limits: on a platform without Green, image moderation is one quiet line, not a warning; with Green configured but unable to reach uploads, a warning with the reason")]
    public async Task Image_moderation_note_warns_only_when_green_cannot_check()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cimg");
        // This platform runs without Green, as many do by choice.
        var status = await admin.GetJsonAsync("/v1/moderation/status");
        Assert.False(status["greenConfigured"]!.GetValue<bool>(), status.ToJsonString());
        Assert.False(status["imageModeration"]!["available"]!.GetValue<bool>(), status.ToJsonString());
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        await console.OpenAsync("moderation", "Lexicons & limits");
        var off = console.Page.GetByTestId("image-moderation-off");
        await Assertions.Expect(off).ToHaveTextAsync("Image moderation: off — Alibaba Green is not configured");
        await Assertions.Expect(off).Not.ToHaveClassAsync(new Regex(@"\bnote\b"));
        await Assertions.Expect(console.Page.GetByTestId("image-moderation-unavailable")).ToHaveCountAsync(0);
        await Assertions.Expect(console.Page.Locator(".note.warn")).ToHaveCountAsync(0);
        await console.ScreenshotAsync("admin-moderation-green-off");

        // A platform with Green but no Images:PublicBaseUrl answers so (its status is checked against such a platform
        // in the moderation tests): the console warns, with the platform's reason.
        const string reason = "Uploaded images cannot be checked by Alibaba Green: Green fetches each image by URL, and the platform has no public address for uploads (Images:PublicBaseUrl is not set).";
        await console.Page.RouteAsync("**/v1/moderation/status", route => route.FulfillAsync(new()
        {
            Status = 200, ContentType = "application/json",
            Body = System.Text.Json.JsonSerializer.Serialize(new { greenConfigured = true, imageModeration = new { available = false, reason } }),
        }));
        await console.Page.ReloadAsync();
        await console.OpenAsync("moderation", "Lexicons & limits");
        var warning = console.Page.GetByTestId("image-moderation-unavailable");
        await Assertions.Expect(warning).ToContainTextAsync("Image moderation is unavailable.");
        await Assertions.Expect(warning).ToContainTextAsync("Images:PublicBaseUrl is not set");
        await Assertions.Expect(warning).ToHaveClassAsync(new Regex(@"\bnote warn\b"));
        await Assertions.Expect(off).ToHaveCountAsync(0);
        await console.ScreenshotAsync("admin-moderation-green-cannot-check-uploads");
        Assert.Empty(console.Errors);
    }

    [Fact(DisplayName = "New role, Register model and New user open clean after an abandoned attempt: no earlier fields, checks or server error")]
    public async Task New_dialogs_open_clean()
    {
        var (admin, _) = await fx.NewUnlimitedTenantAsync("cclean");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await using var console = await ConsoleBrowser.SignInAsync(fx.BaseUrl, admin.Key);
        var dialog = console.Page.GetByRole(AriaRole.Dialog);

        await console.OpenAsync("access", "Roles & access");
        await console.Page.Locator("[data-role=staff]").WaitForAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New role" }).ClickAsync();
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("reviewers");
        await dialog.GetByLabel("staff").CheckAsync();
        await dialog.GetByLabel("Labels (comma-separated)").FillAsync("bad label!");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".note.error")).ToContainTextAsync("bad label!");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New role" }).ClickAsync();
        await Assertions.Expect(dialog.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("");
        await Assertions.Expect(dialog.GetByLabel("staff")).Not.ToBeCheckedAsync();
        await Assertions.Expect(dialog.GetByLabel("Labels (comma-separated)")).ToHaveValueAsync("");
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveCountAsync(0);
        await console.ScreenshotAsync("admin-new-role-clean");
        // A role name past the platform's rule is told as a name, with the rule, before anything is sent.
        var writes = new List<string>();
        console.Page.Request += (_, r) => { if (r.Method != "GET") lock (writes) writes.Add($"{r.Method} {r.Url}"); };
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync(new string('r', 300));
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveTextAsync("Name: 1–64 letters, digits, . _ - (no spaces).");
        lock (writes) Assert.Empty(writes);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        await console.OpenAsync("models", "Models & routing");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Register model" }).ClickAsync();
        await dialog.GetByLabel("Id", new() { Exact = true }).FillAsync("meta");
        await dialog.GetByLabel("Model name at the endpoint").FillAsync("m1");
        await dialog.GetByLabel("Endpoint (OpenAI-compatible, with /v1)").FillAsync("http://169.254.169.254/v1");
        await dialog.GetByLabel("Input USD / M", new() { Exact = true }).FillAsync("1");
        await dialog.GetByLabel("Output USD / M").FillAsync("2");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".note.error")).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Register model" }).ClickAsync();
        await Assertions.Expect(dialog.GetByLabel("Id", new() { Exact = true })).ToHaveValueAsync("");
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveCountAsync(0);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();

        await console.OpenAsync("users", "Users & keys");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        await dialog.GetByLabel("User id").FillAsync("alice");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(dialog.Locator(".note.error")).ToContainTextAsync("already exists");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New user" }).ClickAsync();
        await Assertions.Expect(dialog.GetByLabel("User id")).ToHaveValueAsync("");
        await Assertions.Expect(dialog.Locator(".note.error")).ToHaveCountAsync(0);
        Assert.DoesNotContain("reviewers", await admin.Http.GetStringAsync("/v1/acl"));
    }

    // Types spaces into the dialog's field and submits: the field says why, is marked invalid, and the dialog closes unsent.
    private static async Task RefusedAsync(ConsoleBrowser console, string field, string screenshot)
    {
        var dialog = console.Page.GetByRole(AriaRole.Dialog);
        var input = dialog.GetByLabel(field, new() { Exact = true });
        await input.FillAsync("   ");
        await dialog.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(dialog.Locator(".field-error")).ToContainTextAsync("spaces alone");
        await Assertions.Expect(input).ToHaveAttributeAsync("aria-invalid", "true");
        await console.ScreenshotAsync(screenshot);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "close" }).ClickAsync();
        await Assertions.Expect(console.Page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
    }

    [Fact(DisplayName = "The console's sign-in asks for an admin or operator key and turns a user's key away, saying where the chat is")]
    public async Task Sign_in_asks_for_an_admin_key_and_turns_a_user_key_away()
    {
        var (_, userKey) = await fx.NewTenantKeysAsync("csign");
        await using var session = await BrowserSession.OpenAsync(fx.BaseUrl, "/admin/", null, TimeSpan.FromSeconds(30));
        // An admin is not sent to "the key your administrator gave you": the console names the keys it takes.
        await Assertions.Expect(session.Page.Locator(".signin-card")).ToContainTextAsync("tenant admin key, or the operator key");
        await session.SubmitKeyAsync(userKey);
        await Assertions.Expect(session.Page.Locator("#signin-error")).ToContainTextAsync("the chat is at /");
        Assert.Equal(0, await session.Page.Locator(".sidebar").CountAsync());
        await session.ScreenshotAsync("admin-sign-in-user-key");
        Assert.Empty(session.Errors);
    }

    private static List<string> Cited(List<SseEvent> events) =>
        events.Where(e => e.Name == "citation").Select(e => e.Data["documentId"]!.GetValue<string>()).ToList();

    // A long Markdown handbook: enough chunks that embedding takes several batches.
    private static string Handbook(int sections)
    {
        var text = new StringBuilder("# Travel handbook\n\n");
        for (var i = 1; i <= sections; i++)
            text.Append(CultureInfo.InvariantCulture, $"## Rule {i}\n\nTrip type {i} needs approval from cost centre {i * 7 % 97} within {i % 14 + 1} days; receipts over {i * 3} euros are scanned and kept for {i % 9 + 2} years.\n\n");
        return text.ToString();
    }
}
