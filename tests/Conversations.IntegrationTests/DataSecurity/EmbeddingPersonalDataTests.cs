namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>
/// A platform whose embeddings come from an outside endpoint (a test server on loopback, not on the allowlist) that
/// serves the learned router's model (all-MiniLM-L6-v2), so every embedding of a turn's question reaches it.
/// </summary>
public sealed class ExternalEmbeddingsFixture() : PlatformHost("demb", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_dembop_external-embeddings-secret";

    /// <summary>The embedding endpoint.</summary>
    public TestModelServer Embeddings { get; private set; } = null!;

    /// <inheritdoc />
    protected override async Task StartServersAsync() => Embeddings = await TestModelServer.StartAsync(new TestModelOptions());

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Models__Embeddings__Endpoint"] = Embeddings.BaseUrl;
        environment["Models__Embeddings__ModelId"] = "all-MiniLM-L6-v2";
        environment["Models__Embeddings__Dimensions"] = TestModelOptions.DefaultEmbeddingDimensions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Settings are cached per silo for a second by default; the policy change must apply to the very next turn here.
        environment["Moderation__LexiconVersionCacheTime"] = "00:00:00";
        environment["Routing__ConfigCacheTtl"] = "00:00:00";
    }

    /// <inheritdoc />
    protected override async Task StopServersAsync() => await Embeddings.DisposeAsync();
}

/// <summary>What leaves the platform for an embedding endpoint follows the tenant's personal-data policy.</summary>
public sealed class EmbeddingPersonalDataTests(ExternalEmbeddingsFixture fx) : IClassFixture<ExternalEmbeddingsFixture>
{
    [Fact(DisplayName = "An outside embedding endpoint gets the question masked by default, and as it is when the tenant's policy sends it")]
    public async Task Questions_to_an_outside_embedding_endpoint_follow_the_policy()
    {
        using var tenant = await fx.NewTenantAsync("demb");
        // Retrieval only embeds for a user who may read something.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } })).StatusCode);
        var conversation = await tenant.User.CreateConversationAsync();

        var masked = $"zq{Guid.NewGuid():n}"[..12] + "@example.com";
        await tenant.User.SendAsync(conversation, $"My e-mail is {masked}, what is the travel policy?");
        var texts = fx.Embeddings.EmbeddedTexts;
        Assert.Contains(texts, t => t.Contains("travel policy", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains(masked, StringComparison.Ordinal));

        var patch = await tenant.Admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new { personalDataToModels = "send" });
        Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
        var sent = $"zq{Guid.NewGuid():n}"[..12] + "@example.com";
        await tenant.User.SendAsync(conversation, $"My e-mail is {sent}, what is the expense policy?");
        Assert.Contains(fx.Embeddings.EmbeddedTexts, t => t.Contains(sent, StringComparison.Ordinal));

        // The knowledge search route is the same front door.
        var search = await tenant.User.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = $"Which policy applies to {masked}?" });
        Assert.True(search.IsSuccessStatusCode, await search.Content.ReadAsStringAsync());
        Assert.Contains(fx.Embeddings.EmbeddedTexts, t => t.Contains($"Which policy applies to {masked}", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "The drift sketch embeds a question for an outside endpoint masked, as retrieval does, when no search embedded it")]
    public async Task Drift_embeds_the_question_masked_for_an_outside_endpoint()
    {
        using var tenant = await fx.NewTenantAsync("dembdrift");
        // A user who may read nothing: retrieval embeds nothing, so the drift sketch embeds the question itself.
        var conversation = await tenant.User.CreateConversationAsync();
        var masked = $"zq{Guid.NewGuid():n}"[..12] + "@example.com";
        await tenant.User.SendAsync(conversation, $"My e-mail is {masked}, what is the drift policy?");

        // The sample is a one-way message: the admin's status read embeds whatever has arrived.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!fx.Embeddings.EmbeddedTexts.Any(t => t.Contains("drift policy", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await tenant.Admin.GetJsonAsync("/v1/drift");
            await Task.Delay(200);
        }
        var texts = fx.Embeddings.EmbeddedTexts;
        Assert.Contains(texts, t => t.Contains("drift policy", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains(masked, StringComparison.Ordinal));
    }

    [Fact(DisplayName = "A routed first question with a knowledge base is embedded once: retrieval, the semantic cache and the learned router share the embedding")]
    public async Task A_turn_embeds_its_question_once()
    {
        using var tenant = await fx.NewTenantAsync("dembonce");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/roles/staff", new { includes = Array.Empty<string>(), labels = new[] { "public" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Admin.Http.PutAsJsonAsync("/v1/acl/users/alice/roles", new { roles = new[] { "staff" } })).StatusCode);
        foreach (var (id, tier) in new[] { ("once-small", "small"), ("once-large", "large") })
        {
            await ApiClient.EnsureAsync(await tenant.Admin.Http.PutAsJsonAsync($"/v1/routing/models/{id}", new
            {
                endpoint = fx.Embeddings.BaseUrl, apiKey = "test-key", modelName = id, tier,
                inputPerMillion = 1m, outputPerMillion = 2m, contextWindowTokens = 128_000,
            }), HttpStatusCode.OK);
        }
        // The small/large choice is open (the router embeds), and both answer caches are on (the semantic one embeds).
        await ApiClient.EnsureAsync(await tenant.Admin.Http.PutAsJsonAsync("/v1/routing/policy", new
        {
            smallModelId = "once-small", largeModelId = "once-large", exactCache = true, semanticCache = true, hardCodedReplies = false,
        }), HttpStatusCode.OK);

        // Letters only: a hex marker would be masked as a secret on its way to the endpoint.
        var marker = new string(Guid.NewGuid().ToString("n")[..12].Select(c => char.IsDigit(c) ? (char)('g' + c - '0') : c).ToArray());
        var events = await tenant.User.SendAsync(await tenant.User.CreateConversationAsync(), $"What does the {marker} handbook say about holidays?");
        Assert.True(events[^1].Name == "done", events.Dump());
        Assert.StartsWith("once-", events[^1].Data["model"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(fx.Embeddings.EmbeddedTexts, t => t.Contains(marker, StringComparison.Ordinal));
    }
}
