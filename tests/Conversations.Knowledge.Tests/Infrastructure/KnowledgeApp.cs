namespace Conversations.Knowledge.Tests.Infrastructure;

/// <summary>
/// The real platform process on a scratch database with the demo tenant seeded, for the knowledge API over HTTP.
/// Tests use their own tenants so they do not disturb each other.
/// </summary>
public sealed class KnowledgeApp() : PlatformHost("kbtest", OperatorKey)
{
    /// <summary>Operator key of this host.</summary>
    public const string OperatorKey = "cvk_kbtestoperator_operator-secret";
    /// <summary>Demo admin key.</summary>
    public const string DemoAdminKey = "cvk_kbtestadmin_admin-secret";
    /// <summary>Demo user alice's key (staff).</summary>
    public const string AliceKey = "cvk_kbtestalice_alice-secret";

    /// <summary>An HTTP client that presents <paramref name="key"/> (none when null).</summary>
    public HttpClient ClientWithKey(string? key) => As(key).Http;

    /// <summary>Creates a tenant with an admin; returns the admin's key.</summary>
    public Task<string> CreateTenantAsync(string tenantId) => Database.CreateTenantAsync(tenantId);

    /// <summary>Creates a user of a tenant; returns the user's key.</summary>
    public Task<string> CreateUserAsync(string tenantId, string userId) => Database.CreateUserAsync(tenantId, userId);

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Bootstrap__DemoEnabled"] = "true";
        environment["Bootstrap__DemoTenantId"] = "demo";
        environment["Bootstrap__DemoAdminKey"] = DemoAdminKey;
        environment["Bootstrap__DemoUserKey"] = AliceKey;
        environment["Logging__LogLevel__Default"] = "Warning";
        // Tests start platforms of another embedding model on this database: this one must not re-embed their documents back.
        environment["Knowledge__ReembedEnabled"] = "false";
    }

    /// <inheritdoc />
    protected override async Task PlatformStartedAsync()
    {
        // The demo knowledge base is seeded in the background after start; wait until every document is in.
        using var admin = As(DemoAdminKey);
        await WaitUntilAsync("Seeding the demo knowledge base", async () =>
        {
            var res = await admin.Http.GetAsync("/v1/knowledge/documents");
            if (!res.IsSuccessStatusCode) return false;
            var body = await res.Content.ReadFromJsonAsync<JsonNode>();
            return body?["documents"]?.AsArray().Count >= DemoDocuments.Documents.Count;
        });
    }
}
