using Conversations.Moderation.IntegrationTests.Api;

namespace Conversations.Moderation.IntegrationTests.Green;

/// <summary>
/// A platform with Green configured and no <c>Images:PublicBaseUrl</c>: Green cannot fetch uploaded images, which the
/// platform says at start and in the tenant's moderation status instead of leaving image moderation silently off.
/// </summary>
public sealed class GreenWithoutPublicAddressFixture() : ModelPlatformHost("mod_nolink", OperatorKey)
{
    /// <summary>The operator key.</summary>
    public const string OperatorKey = "cvk_nolinkop_nolink-operator-secret";

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        UseModelForChat(environment);
        // Configured, never called: the status and the warning come from the configuration alone.
        environment["Moderation__Green__Endpoint"] = "http://127.0.0.1:9/";
        environment["Moderation__Green__AccessKeyId"] = LocalGreenServer.KeyId;
        environment["Moderation__Green__AccessKeySecret"] = LocalGreenServer.KeySecret;
    }
}

/// <summary>What a tenant admin reads at <c>GET /v1/moderation/status</c> when uploads cannot reach Green.</summary>
public sealed class ImageModerationWithoutPublicAddressTests(GreenWithoutPublicAddressFixture fx) : IClassFixture<GreenWithoutPublicAddressFixture>
{
    [Fact(DisplayName = "Green configured without Images:PublicBaseUrl: the moderation status says image moderation is unavailable and why, and the platform warned at start")]
    public async Task Status_says_image_moderation_is_unavailable_and_why()
    {
        var tenant = await fx.NewTenantAsync("nl");
        var status = await tenant.Admin.GetJsonAsync("/v1/moderation/status");
        Assert.True(status["greenConfigured"]!.GetValue<bool>(), status.ToJsonString());
        var images = status["imageModeration"]!;
        Assert.False(images["available"]!.GetValue<bool>(), status.ToJsonString());
        var reason = images["reason"]!.GetValue<string>();
        Assert.Contains("Images:PublicBaseUrl is not set", reason, StringComparison.Ordinal);
        Assert.Contains("built-in checks only", reason, StringComparison.Ordinal);
        Assert.Contains("Image moderation is unavailable for uploads", fx.Platform.Log, StringComparison.Ordinal);
        // The status is the admin's, as the settings are: a user's key is refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.User.Http.GetAsync("/v1/moderation/status")).StatusCode);
    }
}

/// <summary>The moderation status with Green configured and reachable for uploads.</summary>
[Collection(GreenPlatformCollection.Name)]
public sealed class ImageModerationWithGreenTests(GreenPlatformFixture fx)
{
    [Fact(DisplayName = "Green configured with Images:PublicBaseUrl: the moderation status says image moderation is available, and nothing was warned at start")]
    public async Task Status_says_image_moderation_is_available()
    {
        using var admin = fx.As(GreenPlatformFixture.DemoAdminKey);
        var status = await admin.GetJsonAsync("/v1/moderation/status");
        Assert.True(status["greenConfigured"]!.GetValue<bool>(), status.ToJsonString());
        Assert.True(status["imageModeration"]!["available"]!.GetValue<bool>(), status.ToJsonString());
        Assert.Null(status["imageModeration"]!["reason"]);
        Assert.DoesNotContain("Image moderation is unavailable", fx.Platform.Log, StringComparison.Ordinal);
    }
}

/// <summary>The moderation status without Green.</summary>
public sealed class ImageModerationWithoutGreenTests(ModerationPlatformFixture fx) : ModerationPlatformTests
{
    [Fact(DisplayName = "Without Green: the moderation status says Green is off and images get the built-in checks only; no start-up warning (no Green was asked for)")]
    public async Task Status_says_green_is_off()
    {
        var tenant = await fx.NewTenantAsync("ng");
        var status = await tenant.Admin.GetJsonAsync("/v1/moderation/status");
        Assert.False(status["greenConfigured"]!.GetValue<bool>(), status.ToJsonString());
        Assert.False(status["imageModeration"]!["available"]!.GetValue<bool>(), status.ToJsonString());
        Assert.Contains("not configured", status["imageModeration"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("Image moderation is unavailable", fx.Platform.Log, StringComparison.Ordinal);
    }
}
