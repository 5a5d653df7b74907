namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>Secure headers, HSTS behind a TLS proxy, rate limits on every route.</summary>
public sealed class TransportSecurityTests(DataSecurityFixture fx) : DataSecurityTests
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
        // A streamed answer too (it holds company data): no cache may keep it.
        var (_, userKey) = await fx.NewTenantKeysAsync("hdrs");
        using var user = fx.As(userKey);
        using var streamed = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { stream = true, messages = new[] { new { role = "user", content = "How long is parental leave?" } } }),
        };
        using var stream = await user.Http.SendAsync(streamed, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Contains("no-store", stream.Headers.CacheControl!.ToString());

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

    [Fact(DisplayName = "An address that keeps presenting made-up keys is refused without a lookup, even with a new key id each time; a key accepted from it before goes on working")]
    public async Task Made_up_keys_are_limited()
    {
        var (adminKey, userKey) = await fx.NewTenantKeysAsync("bogus");
        // A colleague behind the same address signed in before the flood.
        using var colleague = fx.As(adminKey);
        colleague.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.30");
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/users")).StatusCode);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= DataSecurityFixture.FailedKeysPerMinute; i++)
        {
            using var bogus = fx.As($"cvk_made{i}up_not-a-real-secret");
            bogus.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.30");
            statuses.Add((await bogus.Http.GetAsync("/v1/conversations")).StatusCode);
        }
        // Each looked-up key is a 401; past the limit the address is told to wait.
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // Now a key not seen from that address is refused until the minute turns, real or not; other addresses are not
        // affected, and the colleague's key, accepted from there before, is still looked up.
        using var real = fx.As(userKey);
        real.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.30");
        var waiting = await real.Http.GetAsync("/v1/conversations");
        Assert.NotNull(waiting.Headers.RetryAfter);
        // Told to wait for the made-up keys (the address's own request limit is not spent): not that the key is bad.
        Assert.Contains("unknown or revoked API keys", (await ApiClient.ProblemAsync(waiting, HttpStatusCode.TooManyRequests))["detail"]!.GetValue<string>());
        using var elsewhere = fx.As(userKey);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.Http.GetAsync("/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/users")).StatusCode);
        // The colleague's key id is public: wrong secrets with it fail (or meet the address's own request limit), and
        // do not take the colleague's key out of the exemption (they would lock the colleague out).
        using var guessing = fx.As(adminKey[..^4] + "nope");
        guessing.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.30");
        for (var i = 0; i < 3; i++)
            Assert.Contains((await guessing.Http.GetAsync("/v1/users")).StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests });
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/users")).StatusCode);
    }

    [Fact(DisplayName = "A key's id is public, but only requests with its secret spend its rate limit: wrong secrets from anywhere leave it working")]
    public async Task Wrong_secrets_do_not_spend_a_keys_limit()
    {
        var (_, userKey) = await fx.NewTenantKeysAsync("spend");
        var wrong = userKey[..^4] + "nope";
        // More wrong-secret requests than the key's own limit, spread over addresses so no address is blocked first.
        var sent = 0;
        for (var address = 0; sent <= DataSecurityFixture.PerKeyPerMinute; address++)
        {
            using var guessing = fx.As(wrong);
            guessing.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{100 + address}");
            for (var i = 0; i < DataSecurityFixture.AnonymousPerMinute / 2; i++, sent++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await guessing.Http.GetAsync("/v1/me")).StatusCode);
        }
        using var owner = fx.As(userKey);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/v1/me")).StatusCode);
    }

    [Fact(DisplayName = "CORS origins are per tenant: a request gets CORS headers only for an origin its own tenant lists")]
    public async Task Cors_per_tenant()
    {
        var origin = $"https://{Guid.NewGuid():n}.example.com";
        using var tenant = await fx.NewTenantAsync("cors");
        using var other = await fx.NewTenantAsync("cors");
        var put = await tenant.Admin.Http.PutAsJsonAsync("/v1/tenant/cors-origins", new { origins = new[] { origin.ToUpperInvariant() + "/" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(origin, (await put.Content.ReadFromJsonAsync<JsonNode>())!["origins"]![0]!.GetValue<string>());
        await ApiClient.ProblemAsync(await tenant.Admin.Http.PutAsJsonAsync("/v1/tenant/cors-origins", new { origins = new[] { "https://x.example.com/path" } }), HttpStatusCode.BadRequest);
        await ApiClient.ProblemAsync(await tenant.Admin.Http.PutAsJsonAsync("/v1/tenant/cors-origins", new { origins = new[] { "javascript:alert(1)" } }), HttpStatusCode.BadRequest);
        // A body without the list clears nothing: only an explicit [] does.
        foreach (var body in new[] { "{}", "{\"origins\": null}" })
        {
            var missing = await ApiClient.ProblemAsync(await tenant.Admin.Http.PutAsync("/v1/tenant/cors-origins", new StringContent(body, Encoding.UTF8, "application/json")),
                HttpStatusCode.BadRequest);
            Assert.Equal("origins", missing["field"]!.GetValue<string>());
        }
        Assert.Equal(origin, (await tenant.Admin.GetJsonAsync("/v1/tenant/cors-origins"))["origins"]![0]!.GetValue<string>());

        using var anonymous = fx.As(null);
        anonymous.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        Assert.Equal(origin, await PreflightAsync(anonymous, origin));
        // A browser client may send a retry's turn id and the conversation a completion continues, and read the latter back.
        using (var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions"))
        {
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            // The official openai npm client in a browser adds its X-Stainless-* headers to every call.
            preflight.Headers.Add("Access-Control-Request-Headers",
                "authorization,content-type,idempotency-key,x-conversation-id,x-stainless-retry-count,x-stainless-lang,x-stainless-package-version,x-stainless-os,x-stainless-arch,x-stainless-runtime,x-stainless-runtime-version");
            using var res = await anonymous.Http.SendAsync(preflight);
            var allowed = string.Join(",", res.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
            Assert.Contains("idempotency-key", allowed);
            Assert.Contains("x-conversation-id", allowed);
            Assert.Contains("x-stainless-retry-count", allowed);
            Assert.Contains("x-stainless-runtime-version", allowed);
        }
        Assert.Null(await PreflightAsync(anonymous, "https://elsewhere.example.com"));

        Assert.Equal(origin, await AllowedOriginAsync(tenant.User, origin));
        Assert.Null(await AllowedOriginAsync(other.User, origin)); // another tenant's client from that origin
        Assert.Contains("settings.cors", (await tenant.Admin.GetJsonAsync("/v1/audit?action=settings")).ToJsonString());
    }

    private static async Task<string?> PreflightAsync(ApiClient client, string origin)
    {
        using var req = new HttpRequestMessage(HttpMethod.Options, "/v1/conversations");
        req.Headers.Add("Origin", origin);
        req.Headers.Add("Access-Control-Request-Method", "POST");
        req.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var res = await client.Http.SendAsync(req);
        return res.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? v.Single() : null;
    }

    private static async Task<string?> AllowedOriginAsync(ApiClient client, string origin)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, "/v1/conversations");
        req.Headers.Add("Origin", origin);
        using var res = await client.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        return res.Headers.TryGetValues("Access-Control-Allow-Origin", out var v) ? v.Single() : null;
    }
}
