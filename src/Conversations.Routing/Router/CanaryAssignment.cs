using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Conversations.Routing.Policy;

namespace Conversations.Routing.Router;

/// <summary>
/// Puts a conversation on one canary arm for the whole release by hashing (tenant, conversation, candidate).
/// A stable hash (not <see cref="string.GetHashCode()"/>) gives the same arm on every silo and after restarts, so a
/// conversation keeps its model and the provider's prompt cache. Raising the share only adds conversations.
/// </summary>
internal static class CanaryAssignment
{
    /// <summary>A number in [0, 1) fixed for this tenant, conversation and candidate model.</summary>
    public static double Bucket(string tenantId, string conversationId, string candidateModelId)
    {
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        var key = $"{tenantId.Length}:{tenantId}|{conversationId.Length}:{conversationId}|{candidateModelId.ToLowerInvariant()}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        var top53 = BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11;
        return top53 / (double)(1UL << 53);
    }

    /// <summary>Whether the conversation is on the candidate arm for <paramref name="canary"/> (which takes its share of traffic).</summary>
    public static bool IsCandidate(string tenantId, string conversationId, CanaryPolicy canary) =>
        canary.Share > 0 && Bucket(tenantId, conversationId, canary.CandidateModelId) < canary.Share;
}
