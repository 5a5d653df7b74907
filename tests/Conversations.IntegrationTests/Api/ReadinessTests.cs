namespace Conversations.IntegrationTests.Api;

/// <summary>A platform process of its own, whose database is cut off and given back while the process keeps running.</summary>
public sealed class ReadinessFixture() : PlatformHost("ready", "cvk_readyoperator_readiness-operator-secret")
{
    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment) { }
}

/// <summary><c>/healthz</c> is liveness; <c>/readyz</c> checks PostgreSQL and the Orleans cluster and says which one fails.</summary>
public sealed class ReadinessTests(ReadinessFixture fx) : IClassFixture<ReadinessFixture>
{
    [Fact(DisplayName = "/readyz is 200 with both checks healthy, then a 503 problem naming PostgreSQL while the database refuses connections, then 200 again")]
    public async Task Readyz_follows_the_database()
    {
        using var anonymous = fx.As(null);
        var ready = await anonymous.Http.GetAsync("/readyz");
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", body["checks"]!["postgres"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", body["checks"]!["orleans"]!["status"]!.GetValue<string>());
        // Anonymous: no internal address (a silo's, the database's) in the answer; an operator's key sees the silo.
        Assert.DoesNotContain("127.0.0.1", body.ToJsonString());
        Assert.Null(body["checks"]!["orleans"]!["silo"]);
        using (var op = fx.Operator())
            Assert.Contains("127.0.0.1", (await op.GetJsonAsync("/readyz"))["checks"]!["orleans"]!["silo"]!.GetValue<string>());

        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        var database = fx.Database.Name.Replace("\"", "\"\"", StringComparison.Ordinal);
        try
        {
            await ExecAsync(server, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");
            await ExecAsync(server, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{fx.Database.Name}' AND pid <> pg_backend_pid()");
            var down = await PollAsync(anonymous, HttpStatusCode.ServiceUnavailable);
            var problem = await ApiClient.ProblemAsync(down, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("postgres", problem["detail"]!.GetValue<string>());
            Assert.True(!problem["detail"]!.GetValue<string>().Contains("orleans:", StringComparison.Ordinal), problem.ToJsonString());
            Assert.Equal("unhealthy", problem["checks"]!["postgres"]!["status"]!.GetValue<string>());
            Assert.DoesNotContain("127.0.0.1", problem.ToJsonString());
            Assert.DoesNotContain(fx.Database.Name, problem.ToJsonString());
            // Liveness does not depend on the database.
            Assert.Equal(HttpStatusCode.OK, (await anonymous.Http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await ExecAsync(server, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }
        var back = await PollAsync(anonymous, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    private static async Task<HttpResponseMessage> PollAsync(ApiClient client, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var response = await client.Http.GetAsync("/readyz");
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline) return response;
            await Task.Delay(500);
        }
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
