namespace Conversations.IntegrationTests.Storage;

/// <summary>
/// The configured operator key on a scratch PostgreSQL database: configuration is the only source of operator keys, so
/// the key it names now is the one that works. A secret changed under the same id, or a key with another id, takes the
/// earlier key's place; a tenant's key id is never taken over.
/// </summary>
public sealed class OperatorKeyTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync("opkey");

    /// <inheritdoc />
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<bool> WorksAsync(TenancyStore store, string key) => (await store.ResolveKeyAsync(key))?.Role == Roles.Operator;

    [Fact(DisplayName = "A changed operator key in configuration replaces the stored one (same id, new secret; or a new id): the old key stops working, the new one works, and a restart with the same key changes nothing")]
    public async Task Configured_operator_key_replaces_the_earlier_one()
    {
        var store = new TenancyStore(_db.DataSource);
        const string first = "cvk_op_first-secret-0001", rotated = "cvk_op_second-secret-002", other = "cvk_op2_third-secret-0003";

        Assert.Equal(0, await store.ConfigureOperatorKeyAsync(first));
        Assert.True(await WorksAsync(store, first));
        Assert.Equal(0, await store.ConfigureOperatorKeyAsync(first)); // a restart with the same configuration
        Assert.True(await WorksAsync(store, first));

        // The same id with a new secret (a regenerated key): the old secret is refused from now on.
        Assert.Equal(1, await store.ConfigureOperatorKeyAsync(rotated));
        Assert.False(await WorksAsync(store, first));
        Assert.True(await WorksAsync(store, rotated));

        // Another id: the earlier operator key is revoked.
        Assert.Equal(1, await store.ConfigureOperatorKeyAsync(other));
        Assert.False(await WorksAsync(store, rotated));
        Assert.True(await WorksAsync(store, other));

        // Back to the first id: it works again (configuration says so), and the other stops.
        Assert.Equal(1, await store.ConfigureOperatorKeyAsync(first));
        Assert.True(await WorksAsync(store, first));
        Assert.False(await WorksAsync(store, other));
    }

    [Fact(DisplayName = "A configured operator key whose id is a tenant's key id is refused at start, and the tenant's key is left as it was")]
    public async Task Operator_key_never_takes_a_tenants_key_id()
    {
        var store = new TenancyStore(_db.DataSource);
        var adminKey = await _db.CreateTenantAsync("opk-tenant");
        Assert.True(ApiKeyFormat.TryParse(adminKey, out var keyId, out _));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ConfigureOperatorKeyAsync($"cvk_{keyId}_taken-over-secret-0001"));
        Assert.Contains(keyId, error.Message, StringComparison.Ordinal);
        Assert.Equal(Roles.TenantAdmin, (await store.ResolveKeyAsync(adminKey))?.Role);
    }
}
