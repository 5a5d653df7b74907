namespace Conversations.Moderation.IntegrationTests.Api;

/// <summary>
/// A platform process with the demo tenant (its admin and user keys given), chatting with the test model server, and
/// started once the demo lexicons are seeded: what the moderation fixtures share.
/// </summary>
/// <param name="name">Prefix of the database and cluster names.</param>
/// <param name="operatorKey">The operator key.</param>
/// <param name="demoAdminKey">The demo tenant's admin key.</param>
/// <param name="demoUserKey">The demo user's (alice) key.</param>
public abstract class DemoPlatformHost(string name, string operatorKey, string demoAdminKey, string demoUserKey) : ModelPlatformHost(name, operatorKey)
{
    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Bootstrap__DemoEnabled"] = "true";
        environment["Bootstrap__DemoAdminKey"] = demoAdminKey;
        environment["Bootstrap__DemoUserKey"] = demoUserKey;
        UseModelForChat(environment);
    }

    /// <inheritdoc />
    protected override async Task PlatformStartedAsync()
    {
        // The demo lexicons are seeded in the background after start; wait until they are visible.
        using var admin = As(demoAdminKey);
        await WaitUntilAsync("Seeding the demo lexicons", async () =>
        {
            var res = await admin.Http.GetAsync("/v1/moderation/lexicons");
            return res.IsSuccessStatusCode && (await res.Content.ReadAsStringAsync()).Contains("internal_domains", StringComparison.Ordinal);
        });
    }
}
