namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>One real platform process with the demo tenant, on a scratch database and the test model server.</summary>
public sealed class ModerationPlatformFixture() : DemoPlatformHost("mod_api", OperatorKey, DemoAdminKey, DemoUserKey)
{
    /// <summary>The operator key.</summary>
    public const string OperatorKey = "cvk_modop_moderation-operator-secret";
    /// <summary>The demo tenant's admin key.</summary>
    public const string DemoAdminKey = "cvk_moddemoadmin_moderation-demo-admin-secret";
    /// <summary>The demo user's (alice) key.</summary>
    public const string DemoUserKey = "cvk_moddemouser_moderation-demo-user-secret";

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        base.Configure(environment);
        // The test model echoes the question: trusted with personal data, its answers carry it back to the output guard.
        environment["Chat__PersonalDataAllowedHosts__0"] = new Uri(Model.BaseUrl).Host;
    }

    /// <summary>A new tenant whose moderation settings (its rate limits) are patched with <paramref name="settings"/> before the test starts.</summary>
    public async Task<TenantClients> NewTenantWithModerationAsync(object settings)
    {
        var tenant = await NewTenantAsync();
        await tenant.Admin.PatchModerationAsync(settings);
        return tenant;
    }
}

/// <summary>API tests share one platform and run one at a time (some script the model's answer).</summary>
[CollectionDefinition(Name)]
public sealed class ModerationPlatformCollection : ICollectionFixture<ModerationPlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "moderation-platform";
}

/// <summary>A test class of the <see cref="ModerationPlatformCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(ModerationPlatformCollection.Name)]
public abstract class ModerationPlatformTests;
