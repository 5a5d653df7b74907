namespace Conversations.IntegrationTests.Api;

/// <summary>The operator's view: OpenTelemetry metrics scraped from /metrics over real HTTP.</summary>
public sealed partial class MetricsApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "/metrics counts a finished turn by outcome and model, with its time to first token, and names no tenant")]
    public async Task Turn_shows_up_in_metrics()
    {
        using var user = await fx.NewUserAsync("metrics");
        using var scraper = fx.Operator();
        var before = CompleteTurns(await ScrapeAsync(scraper));

        var id = await user.CreateConversationAsync();
        var events = await user.SendAsync(id, "The canteen opens at eight. When does the canteen open?");
        Assert.True(events[^1].Name == "done", events.Dump());

        // The exporter caches a scrape for a moment: poll until the turn is counted.
        string text = "";
        for (var i = 0; i < 50 && CompleteTurns(text) <= before; i++)
        {
            await Task.Delay(100);
            text = await ScrapeAsync(scraper);
        }
        Assert.Equal(before + 1, CompleteTurns(text));
        Assert.Matches(TimeToFirstTokenCount(), text);
        Assert.Contains("conversations_tokens_total{", text);
        Assert.DoesNotContain("metrics-", text); // tenant ids are never tags
        // The platform's database pool is named, not described by its connection string (host, port, database, user).
        Assert.Contains("pool_name=\"conversations\"", text);
    }

    [Fact(DisplayName = "/metrics needs the operator key: 401 without a key, 403 with a tenant admin's, 200 with the operator's")]
    public async Task Metrics_need_the_operator_key()
    {
        var (adminKey, _) = await fx.NewTenantKeysAsync("mkey");
        using var anonymous = fx.As(null);
        using var admin = fx.As(adminKey);
        using var op = fx.Operator();
        await ApiClient.ProblemAsync(await anonymous.Http.GetAsync("/metrics"), HttpStatusCode.Unauthorized);
        await ApiClient.ProblemAsync(await admin.Http.GetAsync("/metrics"), HttpStatusCode.Forbidden);
        using var scraped = await op.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("# TYPE", await scraped.Content.ReadAsStringAsync());
    }

    [Fact(DisplayName = "With Telemetry:MetricsPort, /metrics is served without a key on that port only, and that port serves nothing else")]
    public async Task Metrics_on_a_management_port()
    {
        await using var database = await TestDatabase.CreateAsync("mport");
        var port = PlatformProcess.FreePort();
        await using var platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(database.ConnectionString, "mport-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment = { ["Bootstrap__OperatorKey"] = PlatformFixture.OperatorKey, ["Telemetry__MetricsPort"] = port.ToString(CultureInfo.InvariantCulture) },
        });
        using var management = new ApiClient($"http://127.0.0.1:{port}", null);
        using var scraped = await management.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("# TYPE", await scraped.Content.ReadAsStringAsync());
        await ApiClient.ProblemAsync(await management.Http.GetAsync("/v1/conversations"), HttpStatusCode.NotFound);
        // With no Telemetry:MetricsAddress the port is on loopback only: another local address is refused.
        Assert.False(await AcceptsAsync(OtherLoopback, port), "the management port answers on 127.0.0.2: it listens on every interface");
        // On the public port the scrape is not served at all, even with the operator key.
        using var op = new ApiClient(platform.BaseUrl!, PlatformFixture.OperatorKey);
        await ApiClient.ProblemAsync(await op.Http.GetAsync("/metrics"), HttpStatusCode.NotFound);
    }

    [Fact(DisplayName = "A silo's management port listens on 127.0.0.1 only, unless Telemetry:MetricsAddress names another address")]
    public async Task Silo_management_port_is_on_loopback()
    {
        await using var database = await TestDatabase.CreateAsync("mbind");
        var settings = new PlatformProcess.Settings(database.ConnectionString, "mbind-" + Guid.NewGuid().ToString("n")[..8]);
        await using (var silo = await PlatformProcess.StartSiloAsync(settings))
        {
            var port = new Uri(silo.ManagementUrl!).Port;
            Assert.True(await AcceptsAsync(IPAddress.Loopback, port), silo.Log);
            Assert.False(await AcceptsAsync(OtherLoopback, port), "the silo's management port answers on 127.0.0.2: it listens on every interface");
        }
        // The setting opens it wider (a scraper in the cluster): then 127.0.0.2 is answered, which also shows the refusal above is the binding's.
        var anywhere = settings with
        {
            ClusterId = "mbind-" + Guid.NewGuid().ToString("n")[..8],
            Environment = new() { ["Telemetry__MetricsAddress"] = "0.0.0.0" },
        };
        await using var open = await PlatformProcess.StartSiloAsync(anywhere);
        Assert.True(await AcceptsAsync(OtherLoopback, new Uri(open.ManagementUrl!).Port), open.Log);
    }

    [Fact(DisplayName = "The SLO series the alert rules and the Grafana dashboard query exist under those names after a turn")]
    public async Task Alert_and_dashboard_series_exist()
    {
        var (user, id) = await fx.NewConversationAsync("slonames");
        Assert.Equal("done", (await user.SendAsync(id, "The library opens at nine. When does the library open?"))[^1].Name);
        using var scraper = fx.Operator();
        var wanted = new[]
        {
            "conversations_turns_total", "conversations_turn_time_to_first_token_milliseconds_bucket",
            "conversations_turn_time_per_output_token_milliseconds_bucket", "conversations_circuit_open",
            "conversations_tokens_total", "http_server_request_duration_seconds_count",
        };
        var text = "";
        for (var i = 0; i < 50 && !wanted.All(w => text.Contains(w + "{", StringComparison.Ordinal)); i++)
        {
            if (i > 0) await Task.Delay(100);
            text = await ScrapeAsync(scraper);
        }
        var queried = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "prometheus", "alerts.yml"))
            + File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "grafana", "conversations-dashboard.json"));
        foreach (var series in wanted)
        {
            Assert.Contains(series, queried, StringComparison.Ordinal);
            Assert.Contains(series + "{", text, StringComparison.Ordinal);
        }
    }

    // Linux routes all of 127/8 to loopback: a socket bound to 127.0.0.1 refuses 127.0.0.2, one on every interface accepts it.
    private static readonly IPAddress OtherLoopback = IPAddress.Parse("127.0.0.2");

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task<string> ScrapeAsync(ApiClient client)
    {
        using var response = await client.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static double CompleteTurns(string text) =>
        CompleteTurnLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^conversations_turns_total\{[^}]*outcome=""complete""[^}]*\} ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex CompleteTurnLine();

    [GeneratedRegex(@"(?m)^conversations_turn_time_to_first_token[a-z_]*_count\{[^}]*\} [1-9]")]
    private static partial Regex TimeToFirstTokenCount();
}
