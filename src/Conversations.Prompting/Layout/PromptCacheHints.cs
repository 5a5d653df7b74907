using System.Security.Cryptography;
using System.Text;

namespace Conversations.Prompting.Layout;

/// <summary>Hints for OpenAI-compatible providers that raise prefix-cache hits without revealing ids.</summary>
public static class PromptCacheHints
{
    /// <summary>
    /// A stable, opaque per-conversation key for <c>prompt_cache_key</c> (or <c>user</c> where that is what the provider
    /// routes by): the same conversation always maps to the same key, and the key says nothing about tenant or user.
    /// </summary>
    public static string CacheKey(string tenantId, string conversationId)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(tenantId + "\n" + conversationId));
        return "conv-" + Convert.ToHexStringLower(digest.AsSpan(0, 12));
    }
}
