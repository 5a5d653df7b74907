using System.Security.Cryptography;
using System.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// Who may reuse a cached answer. An answer is a function of the question, the chunks retrieval returned and the
/// model; the chunks are a function of the knowledge base at <see cref="KnowledgeBaseVersion"/> and the set of
/// labels the asker may read. So two users of one tenant with the same readable-label set, at the same knowledge
/// base version, would retrieve exactly the same chunks and may share an answer — and any user whose set differs in
/// even one label gets a different scope, so an answer built from a chunk they may not read can never reach them.
/// Keying on the label set rather than on a per-user ACL version lets users with identical access share entries,
/// and a grant or revocation changes the set (hence the key) at once. Two duties fall on the callers: the knowledge
/// base version must change whenever a document or its labels change, and an answer that used anything private to
/// the asker (their memory, earlier turns, identifiers in the question) must be scoped to that user through
/// <see cref="PrivateToUserId"/>, at the user's current <see cref="MemoryEpoch"/>: when the user makes the platform
/// forget their memory, the epoch moves and every private answer written before it is out of reach.
/// </summary>
public sealed record AnswerScope(string TenantId, string ReadScopeHash, long KnowledgeBaseVersion, string? PrivateToUserId = null, long MemoryEpoch = 0)
{
    /// <summary>A shared scope for a user who may read <paramref name="readableLabels"/> (order and duplicates do not matter).</summary>
    public static AnswerScope Create(string tenantId, IEnumerable<string> readableLabels, long knowledgeBaseVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentOutOfRangeException.ThrowIfNegative(knowledgeBaseVersion);
        return new AnswerScope(tenantId, HashReadScope(readableLabels), knowledgeBaseVersion);
    }

    /// <summary>The same scope narrowed to one user (at their memory epoch), for answers that used that user's private context.</summary>
    public AnswerScope PrivateTo(string userId, long memoryEpoch = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryEpoch);
        return this with { PrivateToUserId = userId, MemoryEpoch = memoryEpoch };
    }

    /// <summary>SHA-256 hex of the sorted, distinct label set; labels are case-sensitive, as the ACL stores them.</summary>
    public static string HashReadScope(IEnumerable<string> readableLabels)
    {
        ArgumentNullException.ThrowIfNull(readableLabels);
        var builder = new StringBuilder();
        foreach (var label in readableLabels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            ArgumentException.ThrowIfNullOrEmpty(label, nameof(readableLabels));
            builder.Append(label.Length).Append(':').Append(label).Append('\n'); // Length prefix: no label can imitate two.
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
