namespace Conversations.IntegrationTests.Api;

/// <summary>Keys can be seen, never their secrets: a tenant admin lists a user's keys, a user lists their own.</summary>
public sealed class KeyListingApiTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "A tenant admin lists a user's keys with id, created, last used and expiry, and never the secret")]
    public async Task Admin_lists_a_users_keys()
    {
        var (admin, user) = await fx.NewTenantAsync("keys");
        var issued = await admin.Http.PostAsync("/v1/users/alice/keys?expiresInDays=30", null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var second = (await issued.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();

        var response = await admin.Http.GetAsync("/v1/users/alice/keys");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var key in new[] { user.Key, second })
        {
            Assert.DoesNotContain(key, text);
            Assert.DoesNotContain(key[(key.LastIndexOf('_') + 1)..], text); // the secret part
        }
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        var keys = JsonNode.Parse(text)!["keys"]!.AsArray();
        Assert.Equal(new[] { ApiClient.KeyId(user.Key), ApiClient.KeyId(second) }.Order(), keys.Select(k => k!["keyId"]!.GetValue<string>()).Order());
        var expiring = keys.Single(k => k!["keyId"]!.GetValue<string>() == ApiClient.KeyId(second))!;
        var expiresAt = expiring["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(29), TimeSpan.FromDays(31));
        Assert.Null(keys.Single(k => k!["keyId"]!.GetValue<string>() == ApiClient.KeyId(user.Key))!["expiresAt"]);
        Assert.All(keys, k => Assert.True(k!["createdAt"] is not null && k["role"]!.GetValue<string>() == "user"));

        // A revoked key is no longer listed.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/keys/{ApiClient.KeyId(second)}")).StatusCode);
        var after = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/users/alice/keys"))!["keys"]!.AsArray();
        Assert.Equal([ApiClient.KeyId(user.Key)], after.Select(k => k!["keyId"]!.GetValue<string>()));
    }

    [Fact(DisplayName = "A key's use shows as its last use, written off the request path")]
    public async Task Last_use_is_recorded()
    {
        var (admin, user) = await fx.NewTenantAsync("keys");
        var before = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/users/alice/keys"))!["keys"]![0]!;
        Assert.Null(before["lastUsedAt"]);
        var start = DateTimeOffset.UtcNow.AddSeconds(-5);
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/v1/conversations")).StatusCode);
        JsonNode? lastUsed = null;
        for (var i = 0; i < 40 && lastUsed is null; i++)
        {
            lastUsed = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/users/alice/keys"))!["keys"]![0]!["lastUsedAt"];
            if (lastUsed is null) await Task.Delay(250);
        }
        Assert.NotNull(lastUsed);
        Assert.True(lastUsed.GetValue<DateTimeOffset>() >= start);
    }

    [Fact(DisplayName = "A user lists only their own keys; another user's keys are 403 for them; another tenant's user is a 404 for an admin")]
    public async Task Listing_stays_inside_the_caller()
    {
        var (admin, alice) = await fx.NewTenantAsync("keys");
        var bobKey = await admin.CreateUserWithKeyAsync("bob");
        var own = (await alice.Http.GetFromJsonAsync<JsonNode>("/v1/me/keys"))!["keys"]!.AsArray();
        Assert.Equal([ApiClient.KeyId(alice.Key)], own.Select(k => k!["keyId"]!.GetValue<string>()));
        Assert.DoesNotContain(ApiClient.KeyId(bobKey), (await alice.Http.GetStringAsync("/v1/me/keys")));
        await ApiClient.ProblemAsync(await alice.Http.GetAsync("/v1/users/bob/keys"), HttpStatusCode.Forbidden);

        using var otherAdmin = await fx.NewAdminAsync("keys");
        // "alice" exists in the other tenant too, but its keys are its own: never this tenant's.
        var others = (await otherAdmin.Http.GetFromJsonAsync<JsonNode>("/v1/users/alice/keys"))!["keys"]!.AsArray();
        Assert.DoesNotContain(ApiClient.KeyId(alice.Key), others.Select(k => k!["keyId"]!.GetValue<string>()));
        await ApiClient.ProblemAsync(await otherAdmin.Http.GetAsync("/v1/users/bob/keys"), HttpStatusCode.NotFound);
        using var anonymous = fx.As(null);
        await ApiClient.ProblemAsync(await anonymous.Http.GetAsync("/v1/me/keys"), HttpStatusCode.Unauthorized);
    }
}
