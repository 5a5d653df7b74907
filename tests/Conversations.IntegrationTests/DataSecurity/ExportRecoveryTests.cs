namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>An export whose host stops does not stay "running" for ever: it reads as interrupted and can be restarted.</summary>
public sealed class ExportRecoveryTests(DataSecurityFixture fx) : DataSecurityTests
{
    private static async Task<JsonNode> WaitAsync(ApiClient admin, string id)
    {
        var job = await admin.GetJsonAsync($"/v1/exports/{id}");
        for (var deadline = DateTime.UtcNow.AddSeconds(60); job["status"]!.GetValue<string>() == "running" && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(200);
            job = await admin.GetJsonAsync($"/v1/exports/{id}");
        }
        return job;
    }

    // The row as a host that died mid-export leaves it: running, part done, no archive, its last heartbeat some time ago.
    private async Task LeaveRunningAsync(string id, TimeSpan heartbeatAge)
    {
        await using var conn = await fx.Database.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            UPDATE data_exports SET status = 'running', steps_done = 3, archive = NULL, completed_at = NULL, heartbeat_at = now() - @age
            WHERE export_id = @id
            """, conn);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("age", heartbeatAge);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact(DisplayName = "An export whose host stopped reads as interrupted with a reason; the admin restarts it and it succeeds")]
    public async Task Interrupted_export_restarts()
    {
        using var tenant = await fx.NewTenantAsync("expr");
        var start = await tenant.Admin.Http.PostAsJsonAsync("/v1/exports", new { });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = (await start.Content.ReadFromJsonAsync<JsonNode>())!["exportId"]!.GetValue<string>();
        Assert.Equal("succeeded", (await WaitAsync(tenant.Admin, id))["status"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await tenant.Admin.Http.PostAsync($"/v1/exports/{id}/restart", null), HttpStatusCode.Conflict);

        // A live host's export (recent heartbeat) is still running and cannot be restarted.
        await LeaveRunningAsync(id, TimeSpan.FromSeconds(5));
        Assert.Equal("running", (await tenant.Admin.GetJsonAsync($"/v1/exports/{id}"))["status"]!.GetValue<string>());
        await ApiClient.ProblemAsync(await tenant.Admin.Http.PostAsync($"/v1/exports/{id}/restart", null), HttpStatusCode.Conflict);

        // A dead host's export is interrupted, says so, and has no archive.
        await LeaveRunningAsync(id, TimeSpan.FromMinutes(5));
        var job = await tenant.Admin.GetJsonAsync($"/v1/exports/{id}");
        Assert.Equal("interrupted", job["status"]!.GetValue<string>());
        Assert.Contains("restart", job["error"]!.GetValue<string>());
        var refused = await ApiClient.ProblemAsync(await tenant.Admin.Http.GetAsync($"/v1/exports/{id}/archive"), HttpStatusCode.Conflict);
        Assert.Contains("restart", refused["detail"]!.GetValue<string>());

        // Another tenant cannot restart it.
        using var other = await fx.NewAdminAsync("expr");
        await ApiClient.ProblemAsync(await other.Http.PostAsync($"/v1/exports/{id}/restart", null), HttpStatusCode.NotFound);

        var restart = await tenant.Admin.Http.PostAsync($"/v1/exports/{id}/restart", null);
        Assert.Equal(HttpStatusCode.Accepted, restart.StatusCode);
        job = await WaitAsync(tenant.Admin, id);
        Assert.Equal("succeeded", job["status"]!.GetValue<string>());
        Assert.Equal(job["stepsTotal"]!.GetValue<int>(), job["stepsDone"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.GetAsync($"/v1/exports/{id}/archive")).StatusCode);
        Assert.Single((await tenant.Admin.GetJsonAsync("/v1/audit?action=export.restart"))["entries"]!.AsArray());
    }
}
