using Conversations.Prompting.History;
using Conversations.Prompting.Tokens;
using Conversations.Text;

namespace Conversations.Prompting.Summaries;

/// <summary>
/// Summarizes without a model: keeps the sentences that cover the most frequent content terms (English words, Chinese
/// character bigrams), lowering a term's weight once a chosen sentence covers it, so the summary spreads over topics.
/// Lines of the previous summary are favoured so earlier facts survive. Deterministic and within the token limit.
/// </summary>
public sealed class ExtractiveSummarizer(ITokenCounter counter) : IConversationSummarizer
{
    // Previous summary lines weigh more: they already survived earlier folds.
    private const double PreviousSummaryBoost = 1.5;
    // Share of the room the previous summary may keep before new sentences compete for the rest.
    private const double PreviousSummaryShare = 0.5;
    // A covered term still counts a little, so a sentence repeating it is not worthless.
    private const double CoveredTermWeight = 0.25;

    /// <inheritdoc />
    public Task<string> SummarizeAsync(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Summarize(previousSummary, turnsToFold, maxTokens));
    }

    /// <summary>The synchronous form of <see cref="SummarizeAsync"/>.</summary>
    public string Summarize(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens)
    {
        if (maxTokens <= 0) return "";
        var candidates = Candidates(previousSummary, turnsToFold);
        if (candidates.Count == 0) return "";

        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in candidates.SelectMany(c => c.Terms.Distinct()))
            weights[term] = weights.GetValueOrDefault(term) + 1;

        var chosen = new List<Candidate>();
        var remaining = candidates.ToList();
        // Earlier facts are rare terms next to the new turns' vocabulary, so frequency alone would drop them:
        // the previous summary first gets up to its share of the room, then everything competes for the rest.
        var hasNew = candidates.Any(c => !c.FromPrevious);
        var previousRoom = hasNew ? (int)(maxTokens * PreviousSummaryShare) : maxTokens;
        var used = Pick(remaining.Where(c => c.FromPrevious).ToList(), remaining, chosen, weights, 0, previousRoom);
        Pick(remaining.ToList(), remaining, chosen, weights, used, maxTokens);

        if (chosen.Count == 0) return counter.KeepStart(candidates[0].Text, maxTokens);
        var summary = Render(chosen);
        // Joining lines can cost a token or two more than the parts: drop the weakest choices until it fits.
        while (counter.Count(summary) > maxTokens && chosen.Count > 1)
        {
            chosen.RemoveAt(chosen.Count - 1);
            summary = Render(chosen);
        }
        return counter.Count(summary) <= maxTokens ? summary : counter.KeepStart(summary, maxTokens);
    }

    // Greedy: the best-scoring candidate that still fits, until none does; covered terms then weigh less.
    private static int Pick(List<Candidate> pool, List<Candidate> remaining, List<Candidate> chosen, Dictionary<string, double> weights, int used, int room)
    {
        while (pool.Count > 0)
        {
            Candidate? best = null;
            var bestScore = double.MinValue;
            foreach (var c in pool)
            {
                if (used + c.Tokens > room) continue;
                var score = Score(c, weights);
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            if (best is null || bestScore <= 0) break;
            pool.Remove(best);
            remaining.Remove(best);
            chosen.Add(best);
            used += best.Tokens;
            foreach (var term in best.Terms) weights[term] *= CoveredTermWeight;
        }
        return used;
    }

    private static double Score(Candidate c, Dictionary<string, double> weights)
    {
        if (c.Terms.Count == 0) return c.FromPrevious ? 0.01 : 0;
        var sum = c.Terms.Distinct().Sum(t => weights[t]);
        // Divide by a root of the length so long sentences are not favoured only for being long.
        var score = sum / Math.Sqrt(Math.Max(4, c.Tokens));
        return c.FromPrevious ? score * PreviousSummaryBoost + 0.01 : score;
    }

    private List<Candidate> Candidates(string? previousSummary, IReadOnlyList<ChatTurnMessage> turns)
    {
        var list = new List<Candidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var order = 0;
        foreach (var line in TextNormalizer.Normalize(previousSummary).Split('\n'))
        {
            var text = line.Trim();
            if (text.Length == 0 || !seen.Add(text)) continue;
            list.Add(new Candidate(text, counter.Count(text) + 1, TextSegmenter.Terms(text), true, order++, -1, ""));
        }
        for (var m = 0; m < turns.Count; m++)
        {
            var label = turns[m].Role == ChatRoles.Assistant ? "Assistant" : "User";
            foreach (var (sentence, _) in Sentences.Split(TextNormalizer.Normalize(turns[m].Content)))
            {
                if (!seen.Add(sentence)) continue;
                list.Add(new Candidate(sentence, counter.Count(sentence) + 1, TextSegmenter.Terms(sentence), false, order++, m, label));
            }
        }
        return list;
    }

    // Previous lines first as they were; new sentences grouped per message, in conversation order.
    private static string Render(List<Candidate> chosen)
    {
        var lines = chosen.Where(c => c.FromPrevious).OrderBy(c => c.Order).Select(c => c.Text).ToList();
        foreach (var group in chosen.Where(c => !c.FromPrevious).OrderBy(c => c.Order).GroupBy(c => c.MessageIndex))
            lines.Add(group.First().Label + ": " + string.Join(' ', group.Select(c => c.Text)));
        return string.Join('\n', lines);
    }

    private sealed record Candidate(string Text, int Tokens, List<string> Terms, bool FromPrevious, int Order, int MessageIndex, string Label);
}
