using System.Collections.Concurrent;
using System.Text;
using Conversations.Prompting.Budget;
using Conversations.Prompting.History;
using Conversations.Prompting.Tokens;
using Conversations.Text;

namespace Conversations.Prompting.Layout;

/// <summary>
/// Builds the messages for one model call, most stable first: one system message (system prompt, tenant
/// instructions, answer style, user memory, summary), the newest whole turns verbatim, then a final user message with
/// the question followed by the retrieved sources. Sources sit in the last message, after the append-only history,
/// so the part a provider can serve from its cache runs through the history and not only the system message.
/// Thread-safe; share one per budget.
/// </summary>
public sealed class PromptBuilder
{
    /// <summary>Heading of the sources block in the final user message.</summary>
    public const string SourcesHeading = "Sources (cite as [id]):";

    // The question always keeps at least this much room, even if that means cutting the prefix.
    private const int MinQuestionTokens = 64;
    private const int PrefixCacheLimit = 4096;

    private readonly ITokenCounter _counter;
    private readonly ContextWindowPlanner _planner;
    private readonly ConcurrentDictionary<string, int> _prefixTokensByHash = new(StringComparer.Ordinal);

    /// <summary>A builder that counts with <paramref name="counter"/> and keeps <paramref name="budget"/>.</summary>
    public PromptBuilder(ITokenCounter counter, ContextBudget budget)
    {
        _counter = counter;
        _planner = new ContextWindowPlanner(budget);
    }

    /// <summary>The budget every built prompt keeps.</summary>
    public ContextBudget Budget => _planner.Budget;

    /// <summary>Renders and counts the stable prefix for <paramref name="request"/>, cutting it only if it leaves no room for a question.</summary>
    public StablePrefix RenderStablePrefix(PromptRequest request)
    {
        var text = StablePrefixRenderer.Render(request);
        var tokens = CountPrefix(text, out var hash);
        // The question's images are sent whatever is cut, so they leave the prefix less room too.
        var cap = Math.Max(0, Budget.InputBudgetTokens - 2 * MessageTokens.PerMessage - MessageTokens.ReplyPriming - MinQuestionTokens - request.Question.ImageTokens);
        if (tokens <= cap) return new StablePrefix(text, tokens, hash);

        // Over the cap: shorten the summary first (it is rebuilt anyway), then cut the whole text. Both are deterministic.
        var summary = TextNormalizer.Normalize(request.ConversationSummary);
        if (summary.Length > 0)
        {
            var summaryTokens = _counter.Count(summary);
            text = StablePrefixRenderer.Render(request, _counter.KeepStart(summary, Math.Max(0, summaryTokens - (tokens - cap))));
            tokens = _counter.Count(text);
        }
        if (tokens > cap)
        {
            text = _counter.KeepStart(text, cap);
            tokens = _counter.Count(text);
        }
        return new StablePrefix(text, tokens, StablePrefixRenderer.Hash(text), Truncated: true);
    }

    /// <summary>Builds the prompt; its <see cref="BuiltPrompt.PromptTokens"/> never exceeds the budget's input budget.</summary>
    public BuiltPrompt Build(PromptRequest request)
    {
        var prefix = RenderStablePrefix(request);
        var prefixPromptTokens = prefix.Text.Length == 0 ? 0 : MessageTokens.InPrompt(prefix.TokenCount);
        // The question's images go whatever else is cut: their estimate is part of what is always sent.
        var fixedTokens = prefixPromptTokens + MessageTokens.PerMessage + MessageTokens.ReplyPriming + request.Question.ImageTokens;

        var chunkBlocks = request.Chunks.Select(RenderChunk).ToArray();
        var chunkCosts = chunkBlocks.Select((b, i) => _counter.Count(b) + 1 + (i == 0 ? _counter.Count(SourcesHeading) + 1 : 0)).ToArray();
        var plan = _planner.PlanWindow(fixedTokens, request.RecentTurns, chunkCosts, request.Question.TokenCount);

        var included = request.RecentTurns.Skip(plan.OmittedTurnCount).ToArray();
        var historyTokens = included.Sum(t => t.TokenCount);
        var chunkCount = plan.IncludedChunkCount;
        var questionLimit = plan.QuestionTokenLimit;
        var questionTruncated = plan.QuestionTruncated;
        var limit = Budget.InputBudgetTokens;

        // Counts of parts do not add up exactly once joined, so count the final message itself and shrink until it fits.
        while (true)
        {
            var question = questionTruncated
                ? TokenTruncation.TruncateMiddle(_counter, request.Question.Content, questionLimit)
                : request.Question.Content;
            var final = FinalMessage(question, chunkBlocks.AsSpan(0, chunkCount));
            var total = fixedTokens + historyTokens + _counter.Count(final);
            if (total <= limit || (chunkCount == 0 && questionLimit == 0))
                return Result(prefix, prefixPromptTokens, included, plan.OmittedTurnCount, request.Chunks, chunkCount, final, total, questionTruncated);
            if (chunkCount > 0) chunkCount--;
            else
            {
                questionTruncated = true;
                questionLimit = Math.Max(0, Math.Min(questionLimit, request.Question.TokenCount) - (total - limit));
            }
        }
    }

    private BuiltPrompt Result(
        StablePrefix prefix, int prefixPromptTokens, ConversationTurn[] included, int omitted,
        IReadOnlyList<RetrievedChunk> chunks, int chunkCount, string final, int total, bool questionTruncated)
    {
        var messages = new List<PromptMessage>(2 + included.Length * 2);
        if (prefix.Text.Length > 0) messages.Add(new PromptMessage(ChatRoles.System, prefix.Text));
        foreach (var turn in included)
            foreach (var m in turn.Messages)
                messages.Add(new PromptMessage(m.Role, m.Content));
        messages.Add(new PromptMessage(ChatRoles.User, final));

        return new BuiltPrompt(
            messages,
            total,
            prefixPromptTokens,
            prefix.Hash,
            prefixPromptTokens + included.Sum(t => t.TokenCount),
            included,
            omitted,
            chunks.Take(chunkCount).Select(c => c.Id).ToArray(),
            chunks.Skip(chunkCount).Select(c => c.Id).ToArray(),
            questionTruncated,
            prefix.Truncated,
            Budget.MaxOutputTokens);
    }

    /// <summary>A retrieved chunk as the prompt shows it: its id and title on the first line, then its text.</summary>
    public static string RenderChunk(RetrievedChunk chunk)
    {
        var title = TextNormalizer.Normalize(chunk.Title);
        var header = title.Length == 0 ? $"[{chunk.Id}]" : $"[{chunk.Id}] {title}";
        return header + "\n" + TextNormalizer.Normalize(chunk.Text);
    }

    /// <summary>The final user message: the question, then the rendered sources under <see cref="SourcesHeading"/>.</summary>
    public static string FinalMessage(string question, ReadOnlySpan<string> chunkBlocks)
    {
        if (chunkBlocks.Length == 0) return question;
        var sb = new StringBuilder(question).Append("\n\n").Append(SourcesHeading);
        foreach (var block in chunkBlocks) sb.Append("\n\n").Append(block);
        return sb.ToString();
    }

    // The prefix repeats across turns and conversations of a tenant: count each distinct text once.
    private int CountPrefix(string text, out string hash)
    {
        hash = StablePrefixRenderer.Hash(text);
        if (_prefixTokensByHash.TryGetValue(hash, out var cached)) return cached;
        var tokens = _counter.Count(text);
        if (_prefixTokensByHash.Count >= PrefixCacheLimit) _prefixTokensByHash.Clear();
        _prefixTokensByHash[hash] = tokens;
        return tokens;
    }
}
