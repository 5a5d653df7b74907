namespace Conversations.Routing.IntegrationTests.Encryption;

/// <summary>What leaves the platform: a question's personal data reaches a model only where the tenant's policy and the operator's allowlist say so.</summary>
public sealed class PersonalDataToModelsTests(EncryptionPlatform fx) : EncryptionTests
{
    [Fact(DisplayName = "By default a model outside the operator's allowlist gets the question with e-mail and phone masked, an allowlisted one as written; 'mask' and 'send' override both")]
    public async Task Policy_and_allowlist_decide_what_a_model_sees()
    {
        var tenant = TestIds.Tenant("pii");
        var marker = Guid.NewGuid().ToString("n")[..8];
        using var op = fx.Operator();
        using var admin = fx.As(await op.CreateTenantAsync(tenant));
        using var user = fx.As(await admin.CreateUserWithKeyAsync("alice"));
        var port = new Uri(fx.Model.BaseUrl).Port;
        // Both names reach the same test server; only "localhost" is on the allowlist.
        await PutModelAsync(admin, "small", $"http://127.0.0.1:{port}/v1", $"small-{marker}");
        await PutModelAsync(admin, "large", $"http://localhost:{port}/v1", $"large-{marker}");
        const string email = "jane.doe@example.com";
        const string phone = "13812345678";

        async Task<string> SeenByAsync(string tier)
        {
            // Threshold 1 keeps every question on the small model, 0 sends it to the large one.
            await Ensure(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new
            {
                smallModelId = "small", largeModelId = "large", complexityThreshold = tier == "small" ? 1.0 : 0.0, exactCache = false, semanticCache = false,
            }));
            await Task.Delay(1200); // config and moderation settings caches
            var question = $"Write to {email} or call {phone} about trip {Guid.NewGuid():n}.";
            var done = (await user.SendAsync(await user.CreateConversationAsync(), question)).Done();
            Assert.Equal(tier, done["model"]!.GetValue<string>());
            return fx.Model.Requests.Last(r => r.Model == $"{tier}-{marker}").LastUserMessage;
        }

        var external = await SeenByAsync("small");
        Assert.DoesNotContain(email, external);
        Assert.DoesNotContain(phone, external);
        Assert.Contains("about trip", external);
        var trusted = await SeenByAsync("large");
        Assert.Contains(email, trusted);
        Assert.Contains(phone, trusted);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { personalDataToModels = "sometimes" })).StatusCode);
        await admin.PatchModerationAsync(new { personalDataToModels = "mask" });
        Assert.DoesNotContain(email, await SeenByAsync("large"));
        await admin.PatchModerationAsync(new { personalDataToModels = "send" });
        Assert.Contains(email, await SeenByAsync("small"));

        // The stored history is masked whatever the policy.
        var conversations = await user.GetJsonAsync("/v1/conversations");
        foreach (var c in conversations["conversations"]!.AsArray())
            Assert.DoesNotContain(email, (await user.MessagesAsync(c!["conversationId"]!.GetValue<string>())).ToJsonString());
    }

    private static async Task PutModelAsync(ApiClient admin, string id, string endpoint, string serverName) =>
        await Ensure(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
        {
            endpoint, apiKey = "test-key", modelName = serverName, tier = id, domains = Array.Empty<string>(),
            inputPerMillion = 1m, cachedInputPerMillion = 0.25m, outputPerMillion = 4m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
        }));

    private static async Task Ensure(HttpResponseMessage res)
    {
        if (!res.IsSuccessStatusCode) Assert.Fail($"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
    }
}
