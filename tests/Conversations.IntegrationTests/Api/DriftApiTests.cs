namespace Conversations.IntegrationTests.Api;

/// <summary>
/// Drift detection through the real turn path: questions are POSTed as chat messages of a real platform process (silo,
/// PostgreSQL, local MiniLM embeddings), the tenant's drift grain builds its reference from the first window, and an
/// admin's check compares later windows with it.
/// </summary>
public sealed class DriftApiTests(PlatformFixture fx) : PlatformTests
{
    private const int ReferenceSize = 40;
    private const int WindowSize = 30;
    private const string BlockedWord = "zqdriftblocked";

    [Fact(DisplayName = "Drift: a steady stream of the reference's topic and language raises no drift event")]
    public async Task Steady_stream_raises_nothing()
    {
        using var t = await NewTenantAsync("driftok");
        await SendAsync(t, Questions.Leave(new Random(1), ReferenceSize), ReferenceSize, reference: true);

        await SendAsync(t, Questions.Leave(new Random(2), WindowSize), WindowSize, reference: false);
        var report = await CheckAsync(t.Admin);
        Assert.True(report["outcome"]!.GetValue<string>() == "steady", report.ToJsonString());
        Assert.Equal(WindowSize, report["questions"]!.GetValue<long>());
        Assert.Contains(report["signals"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "topic");
        Assert.DoesNotContain(report["signals"]!.AsArray(), s => s!["breached"]!.GetValue<bool>());
        Assert.Empty((await t.Admin.GetJsonAsync("/v1/drift/events"))["events"]!.AsArray());
    }

    [Fact(DisplayName = "Drift: another topic, then another language, each raise a drift event (admin API, operator listing) and the breach metric")]
    public async Task Shifted_streams_raise_events_and_the_metric()
    {
        using var t = await NewTenantAsync("driftshift");
        using var op = fx.Operator();
        var topicBefore = Breaches(await ScrapeAsync(op), "topic");
        var languageBefore = Breaches(await ScrapeAsync(op), "language");
        await SendAsync(t, Questions.Leave(new Random(3), ReferenceSize), ReferenceSize, reference: true);

        await SendAsync(t, Questions.Servers(new Random(4), WindowSize), WindowSize, reference: false);
        var topic = await CheckAsync(t.Admin);
        Assert.True(topic["outcome"]!.GetValue<string>() == "drifted", topic.ToJsonString());
        var breached = Breached(topic);
        Assert.Contains("topic", breached);
        Assert.Contains("centroid", breached);
        Assert.DoesNotContain("language", breached);

        await SendAsync(t, Questions.LeaveInChinese(new Random(5), WindowSize), WindowSize, reference: false);
        var language = await CheckAsync(t.Admin);
        Assert.True(language["outcome"]!.GetValue<string>() == "drifted", language.ToJsonString());
        Assert.Contains("language", Breached(language));

        // The events: newest first, paged, the tenant's own for its admin; the operator sees them among every tenant's.
        var page = await t.Admin.GetJsonAsync("/v1/drift/events?limit=1");
        var events = page["events"]!.AsArray();
        Assert.Single(events);
        Assert.Equal(language["eventId"]!.GetValue<long>(), events[0]!["id"]!.GetValue<long>());
        Assert.Contains("language", events[0]!["breached"]!.AsArray().Select(b => b!.GetValue<string>()));
        var next = await t.Admin.GetJsonAsync($"/v1/drift/events?limit=1&before={page["nextBefore"]!.GetValue<long>()}");
        Assert.Equal(topic["eventId"]!.GetValue<long>(), next["events"]![0]!["id"]!.GetValue<long>());
        var tenantId = events[0]!["tenantId"]!.GetValue<string>();
        var all = await op.GetJsonAsync($"/v1/drift/events?tenantId={tenantId}");
        Assert.Equal(2, all["events"]!.AsArray().Count);

        // The metric counts breaches by signal, without the tenant.
        var text = "";
        for (var i = 0; i < 50 && (Breaches(text, "topic") <= topicBefore || Breaches(text, "language") <= languageBefore); i++)
        {
            await Task.Delay(100);
            text = await ScrapeAsync(op);
        }
        // Chinese questions are also unlike the English topic clusters: the second check may breach "topic" too.
        Assert.Equal(topicBefore + 1 + (Breached(language).Contains("topic") ? 1 : 0), Breaches(text, "topic"));
        Assert.Equal(languageBefore + 1, Breaches(text, "language"));
        Assert.DoesNotContain(tenantId, text);
    }

    [Fact(DisplayName = "Drift: answer side — refusals rising from none to half the questions breach refusal_rate")]
    public async Task Refusal_rise_is_an_answer_side_breach()
    {
        using var t = await NewTenantAsync("driftrefuse");
        // The same texts on both sides (half carry the word): only the refusals change, not what is asked.
        static List<string> HalfMarked(IEnumerable<string> questions) =>
            questions.Select((q, i) => i % 2 == 0 ? q + " " + BlockedWord : q).ToList();
        await SendAsync(t, HalfMarked(Questions.Leave(new Random(6), ReferenceSize)), ReferenceSize, reference: true);
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/moderation/lexicons/banned",
            new { words = new[] { BlockedWord }, riskLevel = "high", action = "block" }), HttpStatusCode.OK);

        await SendAsync(t, HalfMarked(Questions.Leave(new Random(7), WindowSize)), WindowSize, reference: false);
        var report = await CheckAsync(t.Admin);
        var refusals = report["signals"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "refusal_rate")!;
        Assert.True(refusals["breached"]!.GetValue<bool>(), report.ToJsonString());
        Assert.Equal(0.5, refusals["current"]!.GetValue<double>());
        Assert.Equal(0, refusals["reference"]!.GetValue<double>());
        // No claim about "topic": a refused question is embedded as stored, with the blocked word masked, so the
        // refused half may read as other questions.
    }

    [Fact(DisplayName = "Drift: the scheduled check (an Orleans reminder, every minute here) finds a shifted stream without being asked")]
    public async Task Reminder_checks_on_its_own()
    {
        using var t = await NewTenantAsync("driftclock", checkPeriodMinutes: 1);
        await SendAsync(t, Questions.Leave(new Random(8), ReferenceSize), ReferenceSize, reference: true);
        await SendAsync(t, Questions.Servers(new Random(9), WindowSize), WindowSize, reference: false);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonNode status;
        do
        {
            await Task.Delay(2000);
            status = await t.Admin.GetJsonAsync("/v1/drift");
        }
        while (status["lastReport"]?["outcome"]?.GetValue<string>() != "drifted" && DateTime.UtcNow < deadline);
        Assert.True(status["lastReport"]?["outcome"]?.GetValue<string>() == "drifted", status.ToJsonString());
        Assert.Single((await t.Admin.GetJsonAsync("/v1/drift/events"))["events"]!.AsArray());
    }

    [Fact(DisplayName = "Drift: thresholds are validated (400 naming the field), tenants see only their own events, users see none, and a window too small to be the reference is refused (409)")]
    public async Task Thresholds_and_access()
    {
        using var t = await fx.NewTenantAsync("driftacl");
        var bad = await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { topicPsi = -1 });
        Assert.Contains("topicPsi", (await ApiClient.ProblemAsync(bad, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        bad = await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { minSamples = 50, referenceSamples = 20 });
        Assert.Contains("referenceSamples", (await ApiClient.ProblemAsync(bad, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>());
        bad = await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { checkPeriodMinutes = 0 });
        await ApiClient.ProblemAsync(bad, HttpStatusCode.BadRequest);
        bad = await t.Admin.Http.PutAsync("/v1/drift/thresholds", new StringContent("{\"topicPsi\":\"high\"}", Encoding.UTF8, "application/json"));
        await ApiClient.ProblemAsync(bad, HttpStatusCode.BadRequest);

        var ok = await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { topicPsi = 0.4, checkPeriodMinutes = 30 });
        await ApiClient.EnsureAsync(ok, HttpStatusCode.OK);
        var status = await t.Admin.GetJsonAsync("/v1/drift");
        Assert.Equal(0.4, status["thresholds"]!["topicPsi"]!.GetValue<double>());
        Assert.Equal(0.1, status["thresholds"]!["centroidShift"]!.GetValue<double>());
        Assert.Equal(30, status["thresholds"]!["checkPeriodMinutes"]!.GetValue<int>());

        await ApiClient.ProblemAsync(await t.Admin.Http.PostAsync("/v1/drift/reference", null), HttpStatusCode.Conflict);
        var check = await CheckAsync(t.Admin);
        Assert.Equal("no_reference", check["outcome"]!.GetValue<string>());

        await ApiClient.ProblemAsync(await t.User.Http.GetAsync("/v1/drift/events"), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await t.User.Http.PostAsync("/v1/drift/check", null), HttpStatusCode.Forbidden);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/drift/events?tenantId=someone-else"), HttpStatusCode.NotFound);
        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/drift/events?limit=0"), HttpStatusCode.BadRequest);
    }

    [Fact(DisplayName = "Drift: a user's erasure removes the window's sampled embeddings of that user's questions (windowSampled) and keeps the window's counts")]
    public async Task Erasure_removes_the_users_sampled_embeddings()
    {
        using var t = await NewTenantAsync("drifterase");
        using var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"));
        var questions = Questions.Leave(new Random(7), 9);
        foreach (var (client, range) in new[] { (t.User, questions[..5]), (bob, questions[5..]) })
        {
            var id = await client.CreateConversationAsync("drift");
            foreach (var question in range) Assert.Equal("done", (await client.SendAsync(id, question))[^1].Name);
        }
        JsonNode status = await t.Admin.GetJsonAsync("/v1/drift");
        for (var i = 0; i < 100 && status["windowQuestions"]!.GetValue<long>() < 9; i++)
        {
            await Task.Delay(100);
            status = await t.Admin.GetJsonAsync("/v1/drift");
        }
        // Below the reservoir's size, every question's embedding is kept.
        Assert.Equal(9, status["windowQuestions"]!.GetValue<long>());
        Assert.Equal(9, status["windowSampled"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await t.Admin.Http.DeleteAsync("/v1/users/bob")).StatusCode);
        var after = await t.Admin.GetJsonAsync("/v1/drift");
        Assert.Equal(9, after["windowQuestions"]!.GetValue<long>());
        Assert.Equal(5, after["windowSampled"]!.GetValue<int>());
    }

    private async Task<TenantClients> NewTenantAsync(string prefix, int checkPeriodMinutes = 60)
    {
        var t = await fx.NewUnlimitedTenantAsync(prefix);
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/drift/thresholds",
            new { minSamples = WindowSize, referenceSamples = ReferenceSize, checkPeriodMinutes }), HttpStatusCode.OK);
        // A small knowledge base alice may read, so retrieval embeds each question and the sketch reuses that embedding.
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await t.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } }), HttpStatusCode.OK);
        var upload = await t.Admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new
        {
            documents = new[]
            {
                new { id = "leave", title = "Leave policy", label = "public", content = "Employees get twenty-five vacation days a year. Unused days carry over until March. Managers approve leave requests." },
            },
        });
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        return t;
    }

    // Sends the questions as chat turns over four conversations at once, then waits until the drift grain counted them all.
    private static async Task SendAsync(TenantClients t, IReadOnlyList<string> questions, int expected, bool reference)
    {
        var before = await t.Admin.GetJsonAsync("/v1/drift");
        var windowBefore = before["windowQuestions"]!.GetValue<long>();
        var lanes = Enumerable.Range(0, 4).Select(async lane =>
        {
            var id = await t.User.CreateConversationAsync("drift");
            for (var i = lane; i < questions.Count; i += 4)
            {
                var events = await t.User.SendAsync(id, questions[i]);
                // Every turn ends answered, except the window's ones carrying the blocked word, which are refused
                // (the word is blocked only after the reference is taken).
                var refused = !reference && questions[i].Contains(BlockedWord, StringComparison.Ordinal);
                Assert.True(events[^1].Name == (refused ? "error" : "done"), events.Dump());
            }
        });
        await Task.WhenAll(lanes);
        for (var i = 0; i < 100; i++)
        {
            var status = await t.Admin.GetJsonAsync("/v1/drift");
            var counted = reference
                ? status["referenceQuestions"]!.GetValue<long>() == expected
                : status["windowQuestions"]!.GetValue<long>() == windowBefore + expected;
            if (counted) return;
            await Task.Delay(100);
        }
        Assert.Fail("The drift grain did not count every turn: " + (await t.Admin.GetJsonAsync("/v1/drift")).ToJsonString());
    }

    private static async Task<JsonNode> CheckAsync(ApiClient admin)
    {
        var res = await admin.Http.PostAsync("/v1/drift/check", null);
        var body = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private static List<string> Breached(JsonNode report) =>
        report["signals"]!.AsArray().Where(s => s!["breached"]!.GetValue<bool>()).Select(s => s!["name"]!.GetValue<string>()).ToList();

    private static async Task<string> ScrapeAsync(ApiClient op) => await op.Http.GetStringAsync("/metrics");

    private static long Breaches(string metrics, string signal)
    {
        var m = Regex.Match(metrics, $@"^conversations_drift_breaches_total\{{[^}}]*signal=""{signal}""[^}}]*\}} (\S+)", RegexOptions.Multiline);
        return m.Success ? (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Question streams: HR leave questions (English, then Chinese) and server operations questions.</summary>
    private static class Questions
    {
        private static readonly string[] Leaves = ["vacation days", "annual leave", "sick leave", "parental leave", "holiday time", "paid time off"];
        private static readonly string[] Roles = ["new hire", "manager", "part-time employee", "contractor", "team lead"];
        private static readonly string[] Periods = ["next week", "the summer", "two days in March", "the holidays", "a long weekend"];
        private static readonly string[] Situations = ["change teams", "work part-time", "leave the company", "get sick during my holiday", "move to another office"];
        private static readonly string[] LeaveTemplates =
        [
            "How many {leave} do I get as a {role}?", "Can I carry over unused {leave} to next year?", "Who approves my {leave} request?",
            "How do I request {leave} for {period}?", "Is {leave} still paid when I {situation}?", "What happens to my {leave} if I {situation}?",
        ];

        private static readonly string[] Services = ["nginx", "the postgres replica", "the kafka broker", "redis", "the build agent"];
        private static readonly string[] Errors = ["a disk full error", "connection refused", "an out of memory kill", "TLS handshake failures", "a segfault"];
        private static readonly string[] ServerTemplates =
        [
            "How do I restart {service} on the staging cluster?", "Why does {service} crash with {error}?", "Which dashboard shows CPU for {service}?",
            "How do I roll back a deployment of {service}?", "What is the runbook for {error} on {service}?", "How do I rotate the certificates of {service}?",
        ];

        private static readonly string[] ChineseLeaves = ["年假", "病假", "产假", "带薪假期"];
        private static readonly string[] ChineseRoles = ["新员工", "经理", "兼职员工", "合同工"];
        private static readonly string[] ChinesePeriods = ["下周", "暑假", "三月份", "节假日"];
        private static readonly string[] ChineseTemplates =
        [
            "我作为{role}有多少天{leave}？", "没用完的{leave}可以结转到明年吗？", "谁来审批我的{leave}申请？", "{period}想请{leave}要怎么申请？",
        ];

        public static List<string> Leave(Random r, int count) => Fill(r, count, LeaveTemplates, t => t
            .Replace("{leave}", Pick(r, Leaves)).Replace("{role}", Pick(r, Roles)).Replace("{period}", Pick(r, Periods)).Replace("{situation}", Pick(r, Situations)));

        public static List<string> Servers(Random r, int count) => Fill(r, count, ServerTemplates, t => t
            .Replace("{service}", Pick(r, Services)).Replace("{error}", Pick(r, Errors)));

        public static List<string> LeaveInChinese(Random r, int count) => Fill(r, count, ChineseTemplates, t => t
            .Replace("{leave}", Pick(r, ChineseLeaves)).Replace("{role}", Pick(r, ChineseRoles)).Replace("{period}", Pick(r, ChinesePeriods)));

        private static List<string> Fill(Random r, int count, string[] templates, Func<string, string> fill) =>
            Enumerable.Range(0, count).Select(_ => fill(Pick(r, templates))).ToList();

        private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];
    }
}
