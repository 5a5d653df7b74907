using Microsoft.ML.Tokenizers;

namespace Conversations.Prompting.Tests.Layout;

/// <summary>
/// Checks the cache estimate against the prompt as a provider sees it: one ChatML token sequence (framing tokens,
/// content tokens, the reply priming at the end), where a prefix cache serves the longest common start.
/// </summary>
public sealed class PromptCacheEstimatorTests
{
    private static readonly ITokenCounter Counter = TestText.Counter;
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    // Ids above the vocabulary stand for the ChatML special tokens.
    private const int ImStart = 1_000_000, ImEnd = 1_000_001, Newline = 1_000_002, RoleBase = 1_000_010;

    [Fact] // The previous prompt ends with the reply priming; the next turn's answer starts with the same tokens.
    public void Append_only_continuation_counts_the_reply_priming()
    {
        var system = new PromptMessage(ChatRoles.System, "You are the company assistant. Cite sources as [id].");
        var q1 = new PromptMessage(ChatRoles.User, "How many days of annual leave do I get? 我有多少天年假？");
        var a1 = new PromptMessage(ChatRoles.Assistant, "Every employee has 25 days of paid annual leave [handbook#0].");
        var q2 = new PromptMessage(ChatRoles.User, "And can I carry them over?");

        var estimate = PromptCacheEstimator.CommonPrefixTokens(Counter, [system, q1], [system, q1, a1, q2]);

        Assert.Equal(ReferenceCommonPrefix([system, q1], [system, q1, a1, q2]), estimate);
        Assert.Equal(MessageTokens.InPrompt(Counter.Count(system.Content)) + MessageTokens.InPrompt(Counter.Count(q1.Content)) + MessageTokens.ReplyPriming, estimate);
    }

    [Fact] // A changed system message (a summary refresh) leaves only its header and common start cacheable.
    public void Divergence_inside_a_message_counts_its_common_start_at_most()
    {
        var before = new PromptMessage(ChatRoles.System, "You are the company assistant.\n\nSummary: the user asked about leave.");
        var after = new PromptMessage(ChatRoles.System, "You are the company assistant.\n\nSummary: the user asked about leave and travel.");
        var q = new PromptMessage(ChatRoles.User, "Next question");

        var estimate = PromptCacheEstimator.CommonPrefixTokens(Counter, [before, q], [after, q]);

        Assert.InRange(estimate, MessageTokens.PerMessage, ReferenceCommonPrefix([before, q], [after, q]));
    }

    [Theory] // Random append-only conversations: the estimate is exactly the provider's common prefix.
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Estimate_matches_the_token_sequence_for_append_only_histories(int seed)
    {
        var rng = new Random(seed);
        var history = new List<PromptMessage> { new(ChatRoles.System, TestText.Words(rng, 200)) };
        List<PromptMessage>? previous = null;
        for (var turn = 0; turn < 8; turn++)
        {
            var current = new List<PromptMessage>(history) { new(ChatRoles.User, TestText.Words(rng, 5 + rng.Next(30))) };
            if (previous is not null)
                Assert.Equal(ReferenceCommonPrefix(previous, current), PromptCacheEstimator.CommonPrefixTokens(Counter, previous, current));
            history.Add(current[^1]);
            history.Add(new PromptMessage(ChatRoles.Assistant, TestText.Words(rng, 20 + rng.Next(60))));
            previous = current;
        }
    }

    private static int ReferenceCommonPrefix(IReadOnlyList<PromptMessage> previous, IReadOnlyList<PromptMessage> current)
    {
        var a = Sequence(previous);
        var b = Sequence(current);
        var n = 0;
        while (n < a.Count && n < b.Count && a[n] == b[n]) n++;
        return n;
    }

    private static List<int> Sequence(IReadOnlyList<PromptMessage> messages)
    {
        var ids = new List<int>();
        foreach (var m in messages)
        {
            ids.AddRange([ImStart, RoleBase + Role(m.Role), Newline]);
            ids.AddRange(O200k.EncodeToIds(m.Content));
            ids.AddRange([ImEnd, Newline]);
        }
        ids.AddRange([ImStart, RoleBase + Role(ChatRoles.Assistant), Newline]);
        return ids;
    }

    private static int Role(string role) => role switch { ChatRoles.System => 0, ChatRoles.User => 1, _ => 2 };
}
