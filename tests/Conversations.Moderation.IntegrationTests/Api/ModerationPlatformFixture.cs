using Conversations.Moderation.IntegrationTests.Infrastructure;
using Conversations.TestModel;

namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>One real platform process with the demo tenant, on a scratch database and the test model server.</summary>
public sealed class ModerationPlatformFixture : IAsyncLifetime
{
    /// <summary>The operator key.</summary>
    public const string OperatorKey = "cvk_modop_moderation-operator-secret";
    /// <summary>The demo tenant's admin key.</summary>
    public const string DemoAdminKey = "cvk_moddemoadmin_moderation-demo-admin-secret";
    /// <summary>The demo user's (alice) key.</summary>
    public const string DemoUserKey = "cvk_moddemouser_moderation-demo-user-secret";

    /// <summary>The test model (scriptable answers).</summary>
    public TestModelServer Model { get; private set; } = null!;

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The platform.</summary>
    public PlatformProcess Platform { get; private set; } = null!;

    /// <summary>A client acting with <paramref name="key"/>.</summary>
    public ApiClient As(string? key) => new(Platform.BaseUrl, key);

    /// <summary>A new tenant with an admin and a user "alice"; returns their clients.</summary>
    public async Task<(ApiClient Admin, ApiClient User)> NewTenantAsync()
    {
        using var op = As(OperatorKey);
        var admin = As(await op.CreateTenantAsync($"m-{Guid.NewGuid():n}"[..20]));
        return (admin, As(await admin.CreateUserWithKeyAsync("alice")));
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Model = await TestModelServer.StartAsync(new TestModelOptions());
        Database = await TestDatabase.CreateAsync("api");
        Platform = await PlatformProcess.StartAsync(Database.ConnectionString, new Dictionary<string, string>
        {
            ["Bootstrap__OperatorKey"] = OperatorKey,
            ["Bootstrap__DemoEnabled"] = "true",
            ["Bootstrap__DemoAdminKey"] = DemoAdminKey,
            ["Bootstrap__DemoUserKey"] = DemoUserKey,
            ["Models__Chat__Endpoint"] = Model.BaseUrl,
            ["Models__Chat__ModelId"] = TestModelOptions.DefaultModelName,
        });
        // The demo lexicons are seeded in the background after start; wait until they are visible.
        using var admin = As(DemoAdminKey);
        for (var i = 0; ; i++)
        {
            var res = await admin.Http.GetAsync("/v1/moderation/lexicons");
            if (res.IsSuccessStatusCode && (await res.Content.ReadAsStringAsync()).Contains("internal_domains", StringComparison.Ordinal)) break;
            if (i == 240) throw new TimeoutException("The demo lexicons were not seeded:\n" + Platform.Log);
            await Task.Delay(250);
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Database.DisposeAsync();
        await Model.DisposeAsync();
    }
}

/// <summary>API tests share one platform and run one at a time (some script the model's answer).</summary>
[CollectionDefinition(Name)]
public sealed class ModerationPlatformCollection : ICollectionFixture<ModerationPlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "moderation-platform";
}
