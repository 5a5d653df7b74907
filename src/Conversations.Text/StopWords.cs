using System.Collections.Frozen;

namespace Conversations.Text;

/// <summary>
/// Words that say nothing about what a text is about, so term matching skips them. One English list for every
/// purpose; text that is a transcript also skips the speakers' role names, which stand on every line of it.
/// </summary>
public static class StopWords
{
    /// <summary>
    /// Lower-case English function words (articles, pronouns, auxiliaries, prepositions, conjunctions, question words)
    /// and the frame of a request ("please", "tell", "get", "thanks"): they match almost every text.
    /// </summary>
    public static FrozenSet<string> English { get; } = new[]
    {
        "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can",
        "could", "did", "do", "does", "for", "from", "get", "has", "have", "he", "her", "here", "his", "how", "i", "i'm",
        "if", "in", "into", "is", "it", "it's", "its", "just", "let", "many", "me", "more", "most", "much", "my", "no",
        "not", "of", "on", "or", "our", "please", "she", "should", "so", "some", "tell", "than", "thank", "thanks", "that",
        "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "use", "very", "was", "we",
        "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "yes", "you", "your",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The role names of a transcript's lines ("user", "assistant"): stop words only where the text is a transcript.</summary>
    public static FrozenSet<string> TranscriptRoles { get; } = new[] { "user", "assistant" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Single Chinese characters that carry little meaning alone (的, 了, 是, …): a bigram of two of them is no term.</summary>
    public const string ChineseFunctionChars = "的了是在我你他她它们这那有和就不也都而及与或个吗呢吧啊呀么请把被对从到为以上下中";

    /// <summary>True when the lower-case <paramref name="word"/> is an English stop word.</summary>
    public static bool IsEnglish(string word) => English.Contains(word);

    /// <summary>True when the lower-case <paramref name="word"/> is a stop word of a transcript: an English stop word or a role name.</summary>
    public static bool IsTranscriptWord(string word) => English.Contains(word) || TranscriptRoles.Contains(word);

    /// <summary>True when both characters of the CJK <paramref name="bigram"/> are Chinese function characters.</summary>
    public static bool IsChineseFunctionBigram(string bigram) =>
        bigram.Length == 2 && ChineseFunctionChars.Contains(bigram[0]) && ChineseFunctionChars.Contains(bigram[1]);
}
