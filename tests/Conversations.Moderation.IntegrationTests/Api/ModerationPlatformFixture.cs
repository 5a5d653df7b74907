namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>One real platform process with the demo tenant, on a scratch database and the test model server.</summary>
public sealed class ModerationPlatformFixture() : PlatformHost("mod_api", OperatorKey)
{
    /// <summary>The operator key.</summary>
    public const string OperatorKey = "cvk_modop_moderation-operator-secret";
    /// <summary>The demo tenant's admin key.</summary>
    public const string DemoAdminKey = "cvk_moddemoadmin_moderation-demo-admin-secret";
    /// <summary>The demo user's (alice) key.</summary>
    public const string DemoUserKey = "cvk_moddemouser_moderation-demo-user-secret";

    /// <summary>The test model (scriptable answers).</summary>
    public TestModelServer Model { get; private set; } = null!;

    /// <inheritdoc />
    protected override async Task StartServersAsync() => Model = await TestModelServer.StartAsync(new TestModelOptions());

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Bootstrap__DemoEnabled"] = "true";
        environment["Bootstrap__DemoAdminKey"] = DemoAdminKey;
        environment["Bootstrap__DemoUserKey"] = DemoUserKey;
        environment["Models__Chat__Endpoint"] = Model.BaseUrl;
        environment["Models__Chat__ModelId"] = TestModelOptions.DefaultModelName;
        // The test model echoes the question: trusted with personal data, its answers carry it back to the output guard.
        environment["Chat__PersonalDataAllowedHosts__0"] = new Uri(Model.BaseUrl).Host;
    }

    /// <inheritdoc />
    protected override async Task PlatformStartedAsync()
    {
        // The demo lexicons are seeded in the background after start; wait until they are visible.
        using var admin = As(DemoAdminKey);
        await WaitUntilAsync("Seeding the demo lexicons", async () =>
        {
            var res = await admin.Http.GetAsync("/v1/moderation/lexicons");
            return res.IsSuccessStatusCode && (await res.Content.ReadAsStringAsync()).Contains("internal_domains", StringComparison.Ordinal);
        });
    }

    /// <inheritdoc />
    protected override async Task StopServersAsync() => await Model.DisposeAsync();
}

/// <summary>API tests share one platform and run one at a time (some script the model's answer).</summary>
[CollectionDefinition(Name)]
public sealed class ModerationPlatformCollection : ICollectionFixture<ModerationPlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "moderation-platform";
}
