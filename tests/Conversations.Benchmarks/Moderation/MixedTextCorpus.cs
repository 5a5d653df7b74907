namespace Conversations.Benchmarks.Moderation;

/// <summary>Deterministic mixed Chinese/English text and lexicon words for the moderation benchmark.</summary>
internal static class MixedTextCorpus
{
    private const int CommonHanzi = 3500;

    /// <summary>Roughly <paramref name="chars"/> chars of sentences mixing Chinese clauses and English words.</summary>
    public static string Text(int chars, int seed)
    {
        var random = new Random(seed);
        var english = EnglishWords(random, 2000);
        var sb = new StringBuilder(chars + 64);
        while (sb.Length < chars)
        {
            // A sentence: a Chinese clause, a few English words, another Chinese clause, a terminator.
            AppendHanzi(sb, random, random.Next(6, 20));
            sb.Append(' ');
            for (var w = random.Next(2, 8); w > 0; w--)
                sb.Append(english[Zipf(random, english.Count)]).Append(' ');
            AppendHanzi(sb, random, random.Next(4, 16));
            sb.Append(random.Next(4) switch { 0 => "。", 1 => ". ", 2 => "，", _ => "？\n" });
        }
        return sb.ToString();
    }

    /// <summary><paramref name="count"/> distinct words: half Chinese (2–4 hanzi), half English (4–10 letters).</summary>
    public static List<string> Words(int count, int seed)
    {
        var random = new Random(seed);
        var english = EnglishWords(random, 2000);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var sb = new StringBuilder();
        while (words.Count < count)
        {
            sb.Clear();
            // Lexicon words are not made of the most frequent function characters: draw their hanzi uniformly
            // from the common set (text draws them Zipf-skewed).
            if (random.Next(2) == 0)
                AppendHanzi(sb, random, random.Next(2, 5), uniform: true);
            else if (random.Next(4) == 0 && english[random.Next(english.Count)] is { Length: >= 4 } word)
                sb.Append(word); // a word that really occurs in the text; 2–3 letter ones would match everywhere
            else
                AppendLetters(sb, random, random.Next(4, 11));
            if (sb.Length == 0)
                continue;
            words.Add(sb.ToString());
        }
        return [.. words];
    }

    private static List<string> EnglishWords(Random random, int count)
    {
        var sb = new StringBuilder();
        var words = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            sb.Clear();
            AppendLetters(sb, random, random.Next(2, 10));
            words.Add(sb.ToString());
        }
        return words;
    }

    /// <summary>English letter frequencies (per mille, a–z), so random words look like English to a matcher.</summary>
    private static readonly int[] LetterWeights = [82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1];
    private static readonly int LetterTotal = LetterWeights.Sum();

    private static void AppendLetters(StringBuilder sb, Random random, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var pick = random.Next(LetterTotal);
            var letter = 0;
            while (pick >= LetterWeights[letter])
                pick -= LetterWeights[letter++];
            sb.Append((char)('a' + letter));
        }
    }

    private static void AppendHanzi(StringBuilder sb, Random random, int n, bool uniform = false)
    {
        for (var i = 0; i < n; i++)
            sb.Append((char)(0x4E00 + (uniform ? random.Next(CommonHanzi) : Zipf(random, CommonHanzi)) * 5 % 20900));
    }

    /// <summary>A skewed index in [0, n): common items come up far more often, as in real text.</summary>
    private static int Zipf(Random random, int n) => (int)Math.Min(n - 1, Math.Exp(random.NextDouble() * Math.Log(n + 1)) - 1);
}
