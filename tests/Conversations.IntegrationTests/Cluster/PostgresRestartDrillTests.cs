namespace Conversations.IntegrationTests.Cluster;

/// <summary>
/// The PostgreSQL-restart drill: with the database stopped under a running platform, requests fail fast with a 503
/// problem and Retry-After, readiness goes down, no message is claimed as saved; after the restart the platform serves
/// again by itself.
/// </summary>
public sealed class PostgresRestartDrillTests(ITestOutputHelper output)
{
    [Fact(DisplayName = "PostgreSQL restart drill: 503 with Retry-After while down, no false save, serving again without a platform restart")]
    public async Task Postgres_restart_is_a_fast_503_then_recovers()
    {
        await using var server = await PrivatePostgres.StartNewAsync();
        await using var cluster = await ProcessCluster.CreateAsync("pgdrill", serverConnectionString: server.ConnectionString);
        await using var api = await PlatformProcess.StartApiAsync(cluster.Settings);
        using var user = await cluster.NewUserAsync(api, "pgdrill");
        using var anonymous = new ApiClient(api.BaseUrl!, null);
        var id = await user.CreateConversationAsync("drill");
        Assert.Equal("done", (await user.SendAsync(id, "What is the leave policy before the outage?"))[^1].Name);

        await server.StopAsync();

        // A send is refused before any stream starts, quickly, and says when to retry.
        var clock = Stopwatch.StartNew();
        using (var send = await user.PostMessageAsync(id, "lost-question-marker during the outage"))
        {
            output.WriteLine($"send while down: {(int)send.StatusCode} in {clock.ElapsedMilliseconds} ms");
            var problem = await ApiClient.ProblemAsync(send, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(send.Headers.RetryAfter?.Delta);
            Assert.Contains("try again", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the refusal took {clock.Elapsed}");
        }
        // Listing reads the database: a retryable 503 too, never a 500.
        using (var list = await user.Http.GetAsync("/v1/conversations"))
        {
            await ApiClient.ProblemAsync(list, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(list.Headers.RetryAfter?.Delta);
        }
        using (var ready = await anonymous.Http.GetAsync("/readyz"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var live = await anonymous.Http.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        await server.StartAsync();
        var restarted = Stopwatch.StartNew();
        List<SseEvent>? events = null;
        while (restarted.Elapsed < TimeSpan.FromSeconds(90))
        {
            using var res = await user.PostMessageAsync(id, "What is the leave policy after the outage?");
            if (res.StatusCode == HttpStatusCode.OK)
            {
                events = await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync());
                if (events is [.., { Name: "done" }]) break;
            }
            await Task.Delay(250);
        }
        output.WriteLine($"serving again {restarted.ElapsedMilliseconds} ms after PostgreSQL accepted connections");
        Assert.True(events is [.., { Name: "done" }], "no turn finished within 90 s of the restart: " + events?.Dump());
        using (var ready = await anonymous.Http.GetAsync("/readyz"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // The refused question was never stored; the ones acknowledged before and after are.
        var texts = (await user.MessagesAsync(id)).Select(m => m!["content"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(texts, t => t.Contains("lost-question-marker", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("before the outage", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("after the outage", StringComparison.Ordinal));
        Assert.True(api.IsRunning, api.Log);
    }
}
