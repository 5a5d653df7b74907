namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>Secure headers, HSTS behind a TLS proxy, rate limits on every route.</summary>
[Collection(DataSecurityCollection.Name)]
public sealed class TransportSecurityTests(DataSecurityFixture fx)
{
    [Fact(DisplayName = "Responses carry the secure headers; HSTS is sent when a trusted proxy says the client used HTTPS")]
    public async Task Secure_headers()
    {
        using var admin = await fx.NewAdminAsync("hdr");
        var plain = await admin.Http.GetAsync("/v1/users");
        Assert.Equal("nosniff", plain.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", plain.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("no-store", plain.Headers.CacheControl!.ToString());
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));

        using var viaProxy = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
        viaProxy.Headers.Add("X-Forwarded-Proto", "https");
        var tls = await admin.Http.SendAsync(viaProxy);
        Assert.Equal(HttpStatusCode.OK, tls.StatusCode);
        Assert.Contains("max-age=31536000", tls.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact(DisplayName = "Every route is rate limited: anonymous requests past the limit get a 429 problem with Retry-After")]
    public async Task Rate_limited()
    {
        using var anonymous = fx.As(null);
        anonymous.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.9"); // its own address, not the other tests'
        HttpResponseMessage? last = null;
        for (var i = 0; i <= DataSecurityFixture.AnonymousPerMinute; i++)
            last = await anonymous.Http.PostAsJsonAsync("/v1/tenants", new { tenantId = "nope" });
        var problem = await ApiClient.ProblemAsync(last!, HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry-After", problem["detail"]!.GetValue<string>());
        Assert.True(last!.Headers.RetryAfter is not null);
    }
}
