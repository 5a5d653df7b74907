using System.Security.Cryptography;
using System.Text;
using Conversations.Contracts.Routing;

namespace Conversations.Grains.Health;

/// <summary>
/// Keys of the model health grains: one shared per endpoint URL and model name (the endpoint's own failures, for all
/// tenants), and one per tenant and credential on it (everything that tenant's calls with that key saw).
/// </summary>
internal static class HealthKeys
{
    /// <summary>Prefix of platform-wide keys (the documented exception to tenant-first keys; no tenant data lives there).</summary>
    public const string PlatformPrefix = "_platform";

    /// <summary>The shared health grain key of <paramref name="model"/>'s endpoint.</summary>
    public static string For(ModelRegistration model) => For(model.Endpoint, model.ModelName);

    /// <summary>The shared health grain key of an endpoint URL and model name (case and a trailing slash do not matter).</summary>
    public static string For(string endpoint, string modelName) => $"{PlatformPrefix}/health-{Hash(Identity(endpoint, modelName))}";

    /// <summary>The health grain key of <paramref name="tenantId"/>'s credential on <paramref name="model"/>'s endpoint and model name.</summary>
    public static string ForCredential(string tenantId, ModelRegistration model) =>
        $"{tenantId}/health-{Hash($"{Identity(model.Endpoint, model.ModelName)}|{Fingerprint(model.ApiKey)}")}";

    /// <summary>Whether <paramref name="healthKey"/> is a shared (platform-wide) key.</summary>
    public static bool IsShared(string healthKey) => healthKey.StartsWith(PlatformPrefix + "/", StringComparison.Ordinal);

    /// <summary>
    /// What the shared grain learns about a caller: an opaque id of the tenant, so it can count distinct tenants without
    /// holding a tenant id.
    /// </summary>
    public static string CallerId(string tenantId) => Hash("caller|" + tenantId)[..16];

    /// <summary>A truncated SHA-256 of an API key (the key itself is never stored or shown); "none" without a key.</summary>
    public static string Fingerprint(string? apiKey) =>
        string.IsNullOrEmpty(apiKey) ? "none" : Hash("credential|" + apiKey)[..16];

    private static string Identity(string endpoint, string modelName) => $"{endpoint.Trim().TrimEnd('/').ToLowerInvariant()}|{modelName.Trim()}";

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
