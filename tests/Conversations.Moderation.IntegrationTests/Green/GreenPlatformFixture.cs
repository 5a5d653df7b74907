using Conversations.Moderation.IntegrationTests.Api;

namespace Conversations.Moderation.IntegrationTests.Green;

/// <summary>
/// One real platform process with Green configured against the local Green server on loopback (which checks every
/// request's ACS3 signature), the demo tenant, and the test model server.
/// </summary>
public sealed class GreenPlatformFixture() : DemoPlatformHost("mod_green", OperatorKey, DemoAdminKey, DemoUserKey)
{
    /// <summary>The operator key.</summary>
    public const string OperatorKey = "cvk_greenop_green-operator-secret";
    /// <summary>The demo tenant's admin key.</summary>
    public const string DemoAdminKey = "cvk_greendemoadmin_green-demo-admin-secret";
    /// <summary>The demo user's (alice) key.</summary>
    public const string DemoUserKey = "cvk_greendemouser_green-demo-user-secret";

    /// <summary>The Green-compatible server.</summary>
    internal LocalGreenServer Green { get; private set; } = null!;

    /// <summary>Serves the images messages point at by URL.</summary>
    internal LocalImageServer Images { get; private set; } = null!;

    /// <inheritdoc />
    protected override async Task StartServersAsync()
    {
        await base.StartServersAsync();
        Green = await LocalGreenServer.StartAsync();
        Images = await LocalImageServer.StartAsync();
    }

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        base.Configure(environment);
        // The platform model reads images, and image URLs may name the local image server (by host name only).
        environment["Models__Chat__Vision"] = "true";
        environment["Images__Fetch__Allow__0"] = "localhost";
        // Green fetches uploads through signed links to the platform itself.
        environment["Images__PublicBaseUrl"] = $"http://127.0.0.1:{ApiPort}";
        environment["Moderation__Green__Endpoint"] = Green.Endpoint.ToString();
        environment["Moderation__Green__AccessKeyId"] = LocalGreenServer.KeyId;
        environment["Moderation__Green__AccessKeySecret"] = LocalGreenServer.KeySecret;
        // Room for a cold, loaded machine: an upload's check waits for Green to fetch the image back from this process
        // (its first image link, compiled on first use); under 3 s it failed open there and the flagged image passed.
        // The outage tests fault with Green's own error codes, so nothing here waits for these.
        environment["Moderation__Green__AttemptTimeout"] = "00:00:10";
        environment["Moderation__Green__TotalTimeout"] = "00:00:15";
        environment["Moderation__Green__MaxRetries"] = "0";
        // Outage tests must not leave the circuit open for the tests after them.
        environment["Moderation__Green__CircuitMinimumThroughput"] = "100000";
        // Small windows, so a short scripted answer is checked in several.
        environment["Moderation__GreenWindowMinChars"] = "20";
        environment["Moderation__GreenWindowMaxChars"] = "200";
        environment["Moderation__GreenWindowOverlapChars"] = "10";
        // Failure-mode edits apply to the next turn.
        environment["Moderation__LexiconVersionCacheTime"] = "00:00:00.050";
    }

    /// <inheritdoc />
    protected override async Task StopServersAsync()
    {
        await base.StopServersAsync();
        await Green.DisposeAsync();
        await Images.DisposeAsync();
    }
}

/// <summary>Green platform tests share one platform and run one at a time (they script the model and the Green server).</summary>
[CollectionDefinition(Name)]
public sealed class GreenPlatformCollection : ICollectionFixture<GreenPlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "green-platform";
}
