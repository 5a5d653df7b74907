namespace Conversations.IntegrationTests.Api;

/// <summary>With no trusted proxy configured, a client's own X-Forwarded-For is not believed, not even from loopback.</summary>
public sealed class ForwardedHeadersTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "Without Api:TrustedProxies a client cannot choose the address it is audited under, even from loopback")]
    public async Task Forwarded_for_is_ignored_without_trusted_proxies()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("xff");
        using var admin = fx.As(adminKey);
        admin.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "6.6.6.6");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(userKey)}")).StatusCode);

        var revoke = (await admin.GetJsonAsync("/v1/audit?limit=50"))["entries"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "key.revoke")!;
        Assert.Equal("127.0.0.1", revoke["clientAddress"]!.GetValue<string>());
    }
}
