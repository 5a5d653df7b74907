namespace Conversations.IntegrationTests.Storage;

/// <summary>
/// The usage ledger on a scratch PostgreSQL database: a row bills only a tenant that existed when its work began, so a
/// call that outlives its deleted tenant never lands on the bill of a new tenant that took the id.
/// </summary>
public sealed class UsageTenantTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync("usage");

    /// <inheritdoc />
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static UsageRecord Row(string tenant, string turn, DateTimeOffset? since) =>
        new(tenant, "alice", "c1", turn, "large", 100, 0, 20, 0.01m, Since: since);

    private async Task<List<string>> TurnsAsync(string tenant)
    {
        await using var cmd = _db.DataSource.CreateCommand("SELECT turn_id FROM usage_records WHERE tenant_id = @t ORDER BY turn_id");
        cmd.Parameters.AddWithValue("t", tenant);
        var turns = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) turns.Add(r.GetString(0));
        return turns;
    }

    private async Task DropTenantAsync(string tenant)
    {
        await using var cmd = _db.DataSource.CreateCommand("DELETE FROM tenants WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenant);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact(DisplayName = "A usage row whose work began before its tenant was created again is not written (nor one of a tenant that is gone); the tenant's own rows are, on both write paths")]
    public async Task Rows_bill_only_the_tenant_that_existed_when_the_work_began()
    {
        var tenant = $"ut-{Guid.NewGuid():n}"[..16];
        var store = new UsageStore(_db.DataSource);
        await _db.CreateTenantAsync(tenant);
        var began = DateTimeOffset.UtcNow;
        await store.WriteAsync([Row(tenant, "t1-own", began)]);

        // The tenant is deleted while a call runs, and its id is taken again: the old call's rows reach nobody.
        await DropTenantAsync(tenant);
        await store.WriteAsync([Row(tenant, "t2-gone", began)]);
        Assert.Equal(["t1-own"], await TurnsAsync(tenant));
        await using (var clear = _db.DataSource.CreateCommand("DELETE FROM usage_records WHERE tenant_id = @t"))
        {
            clear.Parameters.AddWithValue("t", tenant);
            await clear.ExecuteNonQueryAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past the allowance for clocks
        await _db.CreateTenantAsync(tenant);
        await store.WriteAsync([Row(tenant, "t3-old", began), Row(tenant, "t4-new", DateTimeOffset.UtcNow), Row(tenant, "t5-now", null)]);
        await store.WriteAfterErasureAsync([Row(tenant, "t6-old-erased", began), Row(tenant, "t7-new-erased", DateTimeOffset.UtcNow)]);

        Assert.Equal(["(deleted)", "t4-new", "t5-now"], await TurnsAsync(tenant));
    }
}
