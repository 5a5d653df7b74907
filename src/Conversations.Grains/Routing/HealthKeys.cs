using System.Security.Cryptography;
using System.Text;
using Conversations.Contracts.Routing;

namespace Conversations.Grains.Routing;

/// <summary>Keys of the platform-wide model health grains: one per endpoint URL and model name, shared by all tenants.</summary>
public static class HealthKeys
{
    /// <summary>Prefix of platform-wide keys (the documented exception to tenant-first keys; no tenant data lives there).</summary>
    public const string PlatformPrefix = "_platform";

    /// <summary>The health grain key of <paramref name="model"/>'s endpoint.</summary>
    public static string For(ModelRegistration model) => For(model.Endpoint, model.ModelName);

    /// <summary>The health grain key of an endpoint URL and model name (case and a trailing slash do not matter).</summary>
    public static string For(string endpoint, string modelName)
    {
        var identity = $"{endpoint.Trim().TrimEnd('/').ToLowerInvariant()}|{modelName.Trim()}";
        return $"{PlatformPrefix}/health-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32]}";
    }
}
