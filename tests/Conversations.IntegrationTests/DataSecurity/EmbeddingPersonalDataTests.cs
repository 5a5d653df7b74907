namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>A platform whose embeddings come from an outside endpoint (a test server on loopback, not on the allowlist).</summary>
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
        environment["Models__Embeddings__ModelId"] = "test-embeddings";
        environment["Models__Embeddings__Dimensions"] = TestModelOptions.DefaultEmbeddingDimensions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Settings are cached per silo for a second by default; the policy change must apply to the very next turn here.
        environment["Moderation__LexiconVersionCacheTime"] = "00:00:00";
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
}
