using System.Security.Cryptography;
using System.Text;

namespace Conversations.Contracts.Routing;

/// <summary>
/// The platform marks its own calls to model endpoints with its deployment's origin, and its OpenAI-compatible route
/// refuses a request that carries that mark: a tenant model registered at the platform's own route would otherwise
/// start a turn that calls the route, which starts a turn that calls it again, until a rate limit stops the fan-out.
/// The origin is the same on every host of one cluster (it comes from the cluster's ids) and says nothing else.
/// </summary>
public static class ModelCallOrigin
{
    /// <summary>The request header that carries the origin.</summary>
    public const string Header = "Conversations-Origin";

    /// <summary>The origin of the cluster with these Orleans ids.</summary>
    public static string For(string serviceId, string clusterId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"conversations-origin\n{serviceId}\n{clusterId}")))[..16];
}
