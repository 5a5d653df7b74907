namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>
/// One platform process in the Production environment (the strict endpoint policy), whose operator allows one
/// self-hosted address (<see cref="AllowedAddress"/>) and whose own model is configured on loopback.
/// </summary>
public sealed class ProductionPlatform() : ModelPlatformHost("endpoints", OperatorKey)
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
    public TestModelServer OperatorModelServer => Model;

    private static readonly ModelBehavior Fast = new() { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(2) };

    /// <inheritdoc />
    protected override TestModelOptions ModelOptions => new() { Default = Fast };

    /// <inheritdoc />
    protected override async Task StartServersAsync()
    {
        SelfHosted = await TestModelServer.StartAsync(new TestModelOptions { Url = $"http://{AllowedAddress}:0", Default = Fast });
        await base.StartServersAsync();
    }

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["Endpoints__Allow__0"] = AllowedAddress;
        UseModelForChat(environment, OperatorModel);
        environment["Models__Chat__ApiKey"] = "operator-key";
        ShortTimings.Apply(environment);
    }

    /// <inheritdoc />
    protected override async Task StopServersAsync()
    {
        await base.StopServersAsync();
        await SelfHosted.DisposeAsync();
    }
}

/// <summary>Tests sharing the Production-environment platform.</summary>
[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<ProductionPlatform>
{
    /// <summary>The collection name.</summary>
    public const string Name = "production-platform";
}
