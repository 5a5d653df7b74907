using System.Text.RegularExpressions;
using Conversations.Contracts.Moderation;
using Conversations.Moderation;
using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Normalization;

namespace Conversations.Grains.Moderation.Lexicons;

/// <summary>Validates tenant lexicons (messages fit for the API's 400) and turns them into engine lexicons.</summary>
internal static partial class LexiconRules
{
    /// <summary>Most lexicons one tenant may have.</summary>
    public const int MaxLexicons = 100;
    /// <summary>Most words in one lexicon.</summary>
    public const int MaxWordsPerLexicon = 20_000;
    /// <summary>Most words across a tenant's lexicons (bounds compile time and automaton memory per silo).</summary>
    public const int MaxWordsPerTenant = 100_000;
    /// <summary>Longest word.</summary>
    public const int MaxWordLength = 100;
    /// <summary>Prefix reserved for the platform's built-in lexicons.</summary>
    public const string ReservedPrefix = "platform_";

    /// <summary>Returns the lexicon cleaned up (trimmed, duplicates dropped, defaults filled) or throws <see cref="ArgumentException"/>.</summary>
    public static LexiconDefinition Validate(LexiconDefinition lexicon)
    {
        var name = lexicon.Name?.Trim() ?? "";
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException("name must be 1–64 characters: letters, digits, '_', '-' and '.'.");
        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"names starting with '{ReservedPrefix}' are reserved for the built-in lexicons.");
        var risk = (lexicon.RiskLevel ?? "").Trim().ToLowerInvariant();
        if (risk is not ("low" or "medium" or "high"))
            throw new ArgumentException("riskLevel must be 'low', 'medium' or 'high'.");
        var action = (lexicon.Action ?? "").Trim().ToLowerInvariant();
        if (action is not ("block" or "mask"))
            throw new ArgumentException("action must be 'block' (refuse the question / withhold the answer) or 'mask' (replace the word with ***).");
        var scope = string.IsNullOrWhiteSpace(lexicon.Scope) ? "both" : lexicon.Scope.Trim().ToLowerInvariant();
        if (scope is not ("both" or "input" or "output"))
            throw new ArgumentException("scope must be 'both' (questions and answers), 'input' (questions only) or 'output' (answers only).");
        var label = string.IsNullOrWhiteSpace(lexicon.Label) ? Lexicon.CustomizedLabel : lexicon.Label.Trim();
        if (!LabelPattern().IsMatch(label))
            throw new ArgumentException("label must be 1–64 characters: lower-case letters, digits, '_' and '-'.");
        var wholeWords = lexicon.Words ?? [];
        var substringWords = lexicon.SubstringWords ?? [];
        if (wholeWords.Count + substringWords.Count == 0)
            throw new ArgumentException("words (or substringWords) must list at least one word.");
        if (wholeWords.Count + substringWords.Count > MaxWordsPerLexicon)
            throw new ArgumentException($"a lexicon holds at most {MaxWordsPerLexicon:N0} words; split it into several lexicons.");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Substring words first: a word listed in both lists matches as a substring, which covers the whole word too.
        var substrings = Clean(substringWords, "substringWords", seen);
        var words = Clean(wholeWords, "words", seen);
        return lexicon with { Name = name, Words = words, RiskLevel = risk, Action = action, Label = label, SubstringWords = substrings, Scope = scope };
    }

    private static List<string> Clean(IReadOnlyList<string> raws, string field, HashSet<string> seen)
    {
        var words = new List<string>(raws.Count);
        var unusable = new List<string>();
        foreach (var raw in raws)
        {
            var word = raw?.Trim() ?? "";
            if (word.Length > MaxWordLength)
                throw new ArgumentException($"{field} must be at most {MaxWordLength} characters each; '{word[..20]}…' is longer.");
            // A word with no letter or digit left after normalization would match nothing.
            if (ModerationNormalizer.NormalizePattern(word).Length == 0)
            {
                unusable.Add(word);
                continue;
            }
            if (seen.Add(word)) words.Add(word);
        }
        if (unusable.Count > 0)
            throw new ArgumentException(
                $"{field} need at least one letter or digit; these have none: {string.Join(", ", unusable.Take(5).Select(w => $"'{w}'"))}.");
        return words;
    }

    /// <summary>All words of a lexicon, whole-word and substring.</summary>
    public static int WordCount(LexiconDefinition lexicon) => lexicon.Words.Count + (lexicon.SubstringWords?.Count ?? 0);

    /// <summary>Checks the tenant-wide bounds after <paramref name="candidate"/> replaces its namesake in <paramref name="current"/>.</summary>
    public static void CheckTenantBounds(IReadOnlyList<LexiconDefinition> current, LexiconDefinition candidate)
    {
        var others = current.Where(l => l.Name != candidate.Name).ToList();
        if (others.Count + 1 > MaxLexicons)
            throw new ArgumentException($"a tenant may have at most {MaxLexicons} lexicons.");
        if (others.Sum(WordCount) + WordCount(candidate) > MaxWordsPerTenant)
            throw new ArgumentException($"a tenant's lexicons hold at most {MaxWordsPerTenant:N0} words in all.");
    }

    /// <summary>The engine's form of a stored lexicon.</summary>
    public static Lexicon ToEngine(LexiconDefinition lexicon) => new(
        lexicon.Name, lexicon.Words, RiskLevels.FromGreenString(lexicon.RiskLevel),
        lexicon.Action == "block" ? LexiconAction.Block : LexiconAction.Mask, lexicon.Label, lexicon.SubstringWords,
        lexicon.Scope switch { "input" => LexiconScope.Input, "output" => LexiconScope.Output, _ => LexiconScope.Both });

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}\\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9_-]{1,64}\\z")]
    private static partial Regex LabelPattern();
}
