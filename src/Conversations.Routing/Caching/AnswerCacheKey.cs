using System.Security.Cryptography;
using System.Text;

namespace Conversations.Routing.Caching;

/// <summary>
/// Keys of the answer caches. The exact cache keys on scope + normalized question; the semantic cache keeps its
/// entries in partitions keyed by scope alone and compares embeddings only inside the asker's partition. See
/// <see cref="AnswerScope"/> for why a scope can never hand out an answer built from chunks the asker may not read.
/// Only self-contained questions belong in the exact cache: a follow-up ("and for part-time staff?") means
/// something else in another conversation. The semantic partition also carries the question's identifiers
/// (<see cref="QuestionIdentifiers"/>), so "leave balance of employee 4711" can never match "… of employee 4712", and
/// its markers of meaning (<see cref="QuestionMeaning"/>), so "is it allowed" never matches "is it not allowed".
/// </summary>
public static class AnswerCacheKey
{
    /// <summary>Version of the key layout; bump it to invalidate every entry when the layout changes.</summary>
    public const string LayoutVersion = "answer-cache/v3";

    /// <summary>SHA-256 hex key of the exact cache for <paramref name="question"/> asked within <paramref name="scope"/>.</summary>
    public static string ForQuestion(AnswerScope scope, string question)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var normalized = QuestionNormalizer.Normalize(question);
        return Hash(Compose(scope).Append("q:").Append(normalized.Length).Append(':').Append(normalized));
    }

    /// <summary>SHA-256 hex key of a scope: the partition of the semantic cache the asker may search.</summary>
    public static string ForScope(AnswerScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return Hash(Compose(scope));
    }

    /// <summary>
    /// SHA-256 hex key of the semantic partition for <paramref name="question"/>: the scope plus the question's
    /// identifiers, so only questions with the same numbers, addresses and names are ever compared, its markers of
    /// meaning (negations, opposites, comparison and arithmetic signs), and the embedding
    /// model (<paramref name="embeddingModel"/>, when given), so vectors of two models of the same length never are.
    /// </summary>
    public static string ForSimilarQuestions(AnswerScope scope, string question, string? embeddingModel = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var identifiers = QuestionIdentifiers.Fingerprint(question);
        var markers = QuestionMeaning.Markers(question);
        var key = Compose(scope).Append("ids:").Append(identifiers.Length).Append(':').Append(identifiers).Append('\n')
            .Append("meaning:").Append(markers.Length).Append(':').Append(markers).Append('\n');
        if (!string.IsNullOrEmpty(embeddingModel)) key.Append("e:").Append(embeddingModel.Length).Append(':').Append(embeddingModel).Append('\n');
        return Hash(key);
    }

    private static StringBuilder Compose(AnswerScope scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope.ReadScopeHash);
        var user = scope.PrivateToUserId ?? string.Empty;

        // Every field is length-prefixed so no value can spill into the next one.
        return new StringBuilder()
            .Append(LayoutVersion).Append('\n')
            .Append("t:").Append(scope.TenantId.Length).Append(':').Append(scope.TenantId).Append('\n')
            .Append("acl:").Append(scope.ReadScopeHash).Append('\n')
            .Append("kb:").Append(scope.KnowledgeBaseVersion).Append('\n')
            .Append("u:").Append(user.Length).Append(':').Append(user).Append('\n')
            .Append("m:").Append(scope.MemoryEpoch).Append('\n');
    }

    private static string Hash(StringBuilder text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
}
