using Conversations.Prompting.History;
using Conversations.Prompting.Tokens;

namespace Conversations.Prompting.Layout;

/// <summary>
/// Estimates what a provider's prefix cache can serve: the tokens at the start of a prompt that are identical to the
/// previous prompt of the same conversation. Providers cache in blocks (e.g. 1024 tokens minimum, then 128-token
/// steps); this counts the raw common prefix, the upper bound they round down from.
/// </summary>
internal static class PromptCacheEstimator
{
    /// <summary>Tokens of <paramref name="current"/> that repeat the start of <paramref name="previous"/> exactly.</summary>
    public static int CommonPrefixTokens(ITokenCounter counter, BuiltPrompt? previous, BuiltPrompt current) =>
        previous is null ? 0 : CommonPrefixTokens(counter, previous.Messages, current.Messages);

    /// <summary>Tokens of the <paramref name="current"/> messages that repeat the start of <paramref name="previous"/> exactly.</summary>
    public static int CommonPrefixTokens(ITokenCounter counter, IReadOnlyList<PromptMessage> previous, IReadOnlyList<PromptMessage> current)
    {
        var tokens = 0;
        var count = Math.Min(previous.Count, current.Count);
        for (var i = 0; i < count; i++)
        {
            var a = previous[i];
            var b = current[i];
            if (a.Role != b.Role) return tokens;
            if (a.Content == b.Content)
            {
                tokens += MessageTokens.InPrompt(counter.Count(b.Content));
                continue;
            }
            // Same role, different text: the cache still covers the framing and the common start of the text.
            var common = a.Content.AsSpan().CommonPrefixLength(b.Content);
            tokens += MessageTokens.PerMessage - 2; // role header before the content ("<|im_start|>role\n")
            if (common > 0) tokens += Math.Max(0, counter.Count(b.Content[..common]) - 1); // the last token may straddle the divergence
            return tokens;
        }
        // The whole previous prompt repeats. It ended with the reply priming ("<|im_start|>assistant\n"); when the current
        // prompt goes on with that reply, the reply's header is those same tokens.
        if (count == previous.Count && current.Count > count && current[count].Role == ChatRoles.Assistant)
            tokens += MessageTokens.ReplyPriming;
        return tokens;
    }
}
