namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>Listing offline batches: a user's own, a tenant admin's all of the tenant's, newest first, paged by cursor.</summary>
public sealed class BatchListTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "GET /v1/batches lists the caller's jobs newest first (a tenant admin's: all of the tenant's, with their owner), each as GET /v1/batches/{id} shows it; another tenant lists none of them and cannot page into them; a bad limit or cursor is a 400")]
    public async Task Jobs_are_listed_per_caller_newest_first()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        using var bob = fx.As(await t.Admin.CreateUserWithKeyAsync("bob"));
        using var other = await fx.NewTenantAsync();
        await other.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var othersJob = await SubmitAsync(other.User, "Summarize the other tenant's notes");
        // Submitted one after another: alice, bob, alice, bob, alice.
        var submitted = new List<(string JobId, string UserId)>();
        for (var i = 0; i < 5; i++)
        {
            var (client, userId) = i % 2 == 0 ? (t.User, "alice") : (bob, "bob");
            submitted.Add((await SubmitAsync(client, $"Summarize policy {i} for {userId}", "Summarize it again"), userId));
        }
        var newestFirst = Enumerable.Reverse(submitted).ToList();

        var alices = await ListAllAsync(t.User, 2);
        Assert.Equal(newestFirst.Where(j => j.UserId == "alice").Select(j => j.JobId), alices.Select(Id));
        Assert.Equal(newestFirst.Where(j => j.UserId == "bob").Select(j => j.JobId), (await ListAllAsync(bob, 20)).Select(Id));
        var all = await ListAllAsync(t.Admin, 20);
        Assert.Equal(newestFirst.Select(j => (j.JobId, j.UserId)), all.Select(j => (Id(j), j["userId"]!.GetValue<string>())));
        Assert.Equal([othersJob], (await ListAllAsync(other.Admin, 1)).Select(Id)); // pages of one: no page of another tenant's jobs
        Assert.Equal([othersJob], (await ListAllAsync(other.User, 20)).Select(Id));

        // Each entry is the job as its own route shows it: model, prompts, progress and cost.
        var listed = all[0];
        var single = await t.Admin.GetJsonAsync($"/v1/batches/{Id(listed)}");
        foreach (var field in (string[])["jobId", "modelId", "total", "userId", "createdAt"])
            Assert.Equal(single[field]!.ToJsonString(), listed[field]!.ToJsonString());
        Assert.Equal(2, listed["total"]!.GetValue<int>());
        Assert.Contains(listed["status"]!.GetValue<string>(), (string[])["queued", "running", "completed"]);
        Assert.NotNull(listed["succeeded"]);
        Assert.NotNull(listed["costUsd"]);

        // A cursor is a position in the caller's own list only: another tenant's job, or another user's, is refused.
        var alicesFirstPage = await t.User.GetJsonAsync("/v1/batches?limit=2");
        var next = alicesFirstPage["next"]!.GetValue<string>();
        Assert.Equal(alices[1]["jobId"]!.GetValue<string>(), next);
        await ApiClient.ProblemAsync(await other.Admin.Http.GetAsync($"/v1/batches?after={next}"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await bob.Http.GetAsync($"/v1/batches?after={next}"), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await t.User.Http.GetAsync($"/v1/batches?after={othersJob}"), HttpStatusCode.BadRequest);
        foreach (var query in (string[])["limit=0", "limit=101", "limit=many", "after=not%20a%20job"])
            await ApiClient.ProblemAsync(await t.User.Http.GetAsync($"/v1/batches?{query}"), HttpStatusCode.BadRequest);
        var byDefault = await t.Admin.GetJsonAsync("/v1/batches"); // 20 a page
        Assert.Equal(5, byDefault["jobs"]!.AsArray().Count);
        Assert.Null(byDefault["next"]);

        // A deleted tenant's jobs leave the listing table with it.
        using var op = fx.Operator();
        Assert.Equal(HttpStatusCode.NoContent, (await op.Http.DeleteAsync($"/v1/tenants/{other.TenantId}")).StatusCode);
        Assert.Equal(0L, await JobRowsAsync(fx, other.TenantId));
    }

    /// <summary>Rows of the tenant in the table jobs are listed from.</summary>
    internal static async Task<long> JobRowsAsync(RoutingPlatform fx, string tenantId)
    {
        await using var db = NpgsqlDataSource.Create(fx.Database.ConnectionString);
        await using var cmd = db.CreateCommand("SELECT count(*) FROM routing_batch_jobs WHERE tenant_id = $1");
        cmd.Parameters.AddWithValue(tenantId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static string Id(JsonNode job) => job["jobId"]!.GetValue<string>();

    private static async Task<string> SubmitAsync(ApiClient client, params string[] prompts)
    {
        var (status, job) = await client.PostAsync("/v1/batches", new { modelId = "small", prompts });
        Assert.Equal(HttpStatusCode.Accepted, status);
        return job!["jobId"]!.GetValue<string>();
    }

    // Every page of the caller's list, following its cursor; a page is full unless it is the last.
    private static async Task<List<JsonNode>> ListAllAsync(ApiClient client, int limit)
    {
        var jobs = new List<JsonNode>();
        string? after = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await client.GetJsonAsync($"/v1/batches?limit={limit}" + (after is null ? "" : $"&after={after}"));
            var items = page["jobs"]!.AsArray();
            after = page["next"]?.GetValue<string>();
            Assert.True(after is null ? items.Count <= limit : items.Count == limit, page.ToJsonString());
            jobs.AddRange(items.Select(j => j!.DeepClone()));
            if (after is null) return jobs;
        }
        Assert.Fail("the list did not end");
        return jobs;
    }
}
