using System.Text.RegularExpressions;
using Conversations.Contracts.Evaluation;

namespace Conversations.Grains.Evaluation;

/// <summary>
/// The default scorer: facts matched in the answer text (case-insensitive, whitespace-normalised), citations taken from
/// the turn's citation events plus document ids named in the answer, refusal from the turn's error or a refusal opening.
/// Same answer, same scores: the gate's figures can be reproduced.
/// </summary>
internal sealed partial class DeterministicScorer : IAnswerScorer
{
    private static readonly string[] RefusalOpenings =
        ["i can't", "i cannot", "i can not", "i'm unable", "i am unable", "i'm sorry, but", "i am sorry, but", "sorry, i can't", "i won't"];

    /// <inheritdoc />
    public Task<(CaseScore Score, IReadOnlyList<string> MissingFacts)> ScoreAsync(EvaluationCase evaluationCase, EvaluationAnswer answer, CancellationToken cancellationToken) =>
        Task.FromResult(Score(evaluationCase, answer));

    /// <summary>Scores synchronously (pure).</summary>
    public static (CaseScore Score, IReadOnlyList<string> MissingFacts) Score(EvaluationCase c, EvaluationAnswer answer)
    {
        var text = Normalise(answer.Text);
        var refused = answer.ErrorCode is not null || text.Length == 0 || RefusalOpenings.Any(text.StartsWith);
        var missing = c.Facts.Where(f => refused || !text.Contains(Normalise(f), StringComparison.Ordinal)).ToList();
        double? recall = c.Facts.Count == 0 ? null : (double)(c.Facts.Count - missing.Count) / c.Facts.Count;

        double? precision = null;
        if (c.Sources.Count > 0)
        {
            var cited = Cited(answer).ToList();
            // An answer that cites nothing when sources were expected has cited none of them: precision 0, not "not applicable".
            precision = refused || cited.Count == 0 ? 0 : (double)cited.Count(d => c.Sources.Contains(d, StringComparer.OrdinalIgnoreCase)) / cited.Count;
        }
        return (new CaseScore(recall, precision, refused, answer.Text.Length, answer.LatencyMs, answer.CostUsd), missing);
    }

    /// <summary>The distinct documents an answer cites: its citation events and any document id it names in the text.</summary>
    public static IEnumerable<string> Cited(EvaluationAnswer answer) =>
        answer.CitedDocumentIds.Concat(DocumentIdMention().Matches(answer.Text).Select(m => m.Groups["id"].Value))
            .Distinct(StringComparer.OrdinalIgnoreCase);

    private static string Normalise(string s) => Whitespace().Replace(s.Trim().ToLowerInvariant(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // "[doc:ID]" or "[source:ID]" in the answer text.
    [GeneratedRegex(@"\[(?:doc|source):(?<id>[A-Za-z0-9._@-]{1,64})\]", RegexOptions.IgnoreCase)]
    private static partial Regex DocumentIdMention();
}
