using Conversations.IntegrationTests.Infrastructure;
using Conversations.TestModel;

namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>
/// One platform process in the Production environment (the strict endpoint policy), whose operator allows one
/// self-hosted address (<see cref="AllowedAddress"/>) and whose own model is configured on loopback.
/// </summary>
public sealed class ProductionPlatform : IAsyncLifetime
{
    /// <summary>The operator key of the process.</summary>
    public const string OperatorKey = "cvk_prodop_production-operator-secret";

    /// <summary>The loopback address the operator put on <c>Endpoints:Allow</c>.</summary>
    public const string AllowedAddress = "127.0.0.2";

    /// <summary>The model name the operator configured as the platform model.</summary>
    public const string OperatorModel = "operator-model";

    /// <summary>A self-hosted model on the allowed address.</summary>
    public TestModelServer SelfHosted { get; private set; } = null!;

    /// <summary>The operator's own model, on 127.0.0.1 (configured, so trusted).</summary>
    public TestModelServer OperatorModelServer { get; private set; } = null!;

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The platform process.</summary>
    public PlatformProcess Platform { get; private set; } = null!;

    /// <summary>A client with a key.</summary>
    public ApiClient As(string? key) => new(Platform.BaseUrl!, key);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var fast = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) };
        SelfHosted = await TestModelServer.StartAsync(new TestModelOptions { Url = $"http://{AllowedAddress}:0", Default = fast });
        OperatorModelServer = await TestModelServer.StartAsync(new TestModelOptions { Default = fast });
        Database = await TestDatabase.CreateAsync("endpoints");
        Platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(Database.ConnectionString, "prod-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Endpoints__Allow__0"] = AllowedAddress,
                ["Models__Chat__Endpoint"] = OperatorModelServer.BaseUrl,
                ["Models__Chat__ModelId"] = OperatorModel,
                ["Models__Chat__ApiKey"] = "operator-key",
                ["Routing__ConfigCacheTtl"] = "00:00:00.2",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Database.DisposeAsync();
        await OperatorModelServer.DisposeAsync();
        await SelfHosted.DisposeAsync();
    }

    /// <summary>A new tenant's admin and user clients.</summary>
    public async Task<(ApiClient Admin, ApiClient User)> NewTenantAsync()
    {
        using var op = As(OperatorKey);
        var admin = As(await op.CreateTenantAsync($"p-{Guid.NewGuid():n}"[..20]));
        return (admin, As(await admin.CreateUserWithKeyAsync("alice")));
    }
}

/// <summary>Tests sharing the Production-environment platform.</summary>
[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<ProductionPlatform>
{
    /// <summary>The collection name.</summary>
    public const string Name = "production-platform";
}
