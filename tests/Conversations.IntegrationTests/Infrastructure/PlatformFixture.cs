namespace Conversations.IntegrationTests.Infrastructure;

/// <summary>One real platform process (silo + API) on a scratch database, shared by a test collection.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_testoperator_integration-operator-secret";

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The running platform.</summary>
    public PlatformProcess Platform { get; private set; } = null!;

    /// <summary>Base URL of the API.</summary>
    public string BaseUrl => Platform.BaseUrl!;

    /// <summary>A client acting with the operator key.</summary>
    public ApiClient Operator() => new(BaseUrl, OperatorKey);

    /// <summary>A client acting with a given key (or none).</summary>
    public ApiClient As(string? key) => new(BaseUrl, key);

    /// <summary>Creates a tenant with an admin and one user; returns their keys.</summary>
    public async Task<(string AdminKey, string UserKey)> NewTenantAsync(string prefix = "t")
    {
        var tenantId = $"{prefix}-{Guid.NewGuid():n}"[..20];
        using var op = Operator();
        var adminKey = await op.CreateTenantAsync(tenantId);
        using var admin = As(adminKey);
        var userKey = await admin.CreateUserWithKeyAsync("alice");
        return (adminKey, userKey);
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("api");
        Platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(Database.ConnectionString, "api-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Chat__MaxMessageChars"] = "2000",
                ["Api__MaxRequestBodyBytes"] = "65536",
            },
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Tests sharing one platform process.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "platform";
}
