namespace Conversations.IntegrationTests.Cluster;

/// <summary>An API host whose only silo is gone answers 503 with Retry-After, never a 500.</summary>
public sealed class SiloOutageTests
{
    [Fact(DisplayName = "With its silo killed the API answers grain-backed requests 503 problem+json with Retry-After")]
    public async Task Lost_silo_is_a_retryable_503()
    {
        await using var cluster = await ProcessCluster.CreateAsync("outage");
        await using var silo = await cluster.StartSiloAsync();
        await using var api = await cluster.StartClientApiAsync();
        using var user = await cluster.NewUserAsync(api, "outage");
        var id = await user.CreateConversationAsync("before the outage");

        silo.Kill();

        // Every request answers (the client's own timeout bounds the wait), and none of them is a 500.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var res = await user.Http.GetAsync($"/v1/conversations/{id}");
            statuses.Add(res.StatusCode);
            if (res.StatusCode != HttpStatusCode.ServiceUnavailable) continue;
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(res.Headers.RetryAfter?.Delta);
            var problem = (await res.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal(503, problem["status"]!.GetValue<int>());
            Assert.Contains("try again", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.True(api.IsRunning, api.Log);
    }
}
