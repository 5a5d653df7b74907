using System.Buffers;
using System.Text.RegularExpressions;

namespace Conversations.Moderation.Pii;

/// <summary>Finds validated personal data and secrets in (light-normalized) text; stateless and thread-safe.</summary>
/// <remarks>
/// Detectors run in priority order and a later span that overlaps an accepted one is dropped: secrets before
/// e-mails before ID numbers before cards before phones before IPs — so an 18-digit ID is never also a "card"
/// and the digits inside an e-mail are never also a "phone".
/// </remarks>
public sealed class PiiScanner
{
    private const int MaxSecretValueLength = 256;
    private const int MinTokenLength = 16;
    private const double MinTokenEntropy = 3.0;

    // Cheap vectorized checks that skip a detector's regex pass when the text cannot hold its match: every password
    // pattern holds one of these words, every key assignment one of key/secret/token/bearer, every vendor key one of its
    // prefixes, and every number-based detector an ASCII digit (the light form has folded full-width digits).
    private static readonly SearchValues<string> PasswordWords = SearchValues.Create(["pass", "pwd", "密码", "口令"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> KeyWords = SearchValues.Create(["key", "secret", "token", "bearer"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<string> KeyPrefixes =
        SearchValues.Create(["sk-", "AKIA", "ASIA", "LTAI", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"], StringComparison.Ordinal);

    // One pass that finds every text the three sets above can match, and then some: their ASCII words under one
    // ignore-case Teddy search (all of length 3 or more, so it stays vectorized), and the first hanzi of 密码 and 口令.
    // Ordinary text holds none of them, so the three narrower passes are skipped.
    private static readonly SearchValues<string> SecretTriggers = SearchValues.Create(
        ["pass", "pwd", "key", "secret", "token", "bearer", "sk-", "akia", "asia", "ltai", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        StringComparison.OrdinalIgnoreCase);

    private readonly bool _skipByTriggers = true;

    /// <summary>A scanner with every detector on.</summary>
    public PiiScanner()
    {
    }

    /// <summary>With <paramref name="skipByTriggers"/> false, every detector runs on every text (the reference in tests).</summary>
    internal PiiScanner(bool skipByTriggers) => _skipByTriggers = skipByTriggers;

    /// <summary>The shared scanner with every detector on.</summary>
    public static PiiScanner Default { get; } = new();

    /// <summary>Appends every validated span in <paramref name="text"/> to <paramref name="into"/>, sorted by start.</summary>
    public void Scan(ReadOnlySpan<char> text, List<PiiSpan> into)
    {
        var first = into.Count;
        var all = !_skipByTriggers;
        if (all || text.ContainsAny(SecretTriggers) || text.ContainsAny('密', '口'))
        {
            if (all || text.ContainsAny(PasswordWords))
                AddValues(text, PiiPatterns.PasswordAssignment(), PiiKind.Password, into, first, minLength: 1);
            if (all || text.ContainsAny(KeyPrefixes))
                AddSimple(text, PiiPatterns.PrefixedKey(), PiiKind.ApiKey, into, first);
            if (all || text.ContainsAny(KeyWords))
                AddValues(text, PiiPatterns.KeyAssignment(), PiiKind.ApiKey, into, first, minLength: MinTokenLength);
        }
        for (var from = 0; EmailFinder.TryFindNext(text, ref from, out var email);)
            TryAdd(into, first, email);
        if (all || text.ContainsAnyInRange('0', '9'))
        {
            AddSimple(text, PiiPatterns.ChinaResidentId(), PiiKind.ChinaResidentId, into, first);
            AddSimple(text, PiiPatterns.BankCard(), PiiKind.BankCard, into, first);
            AddSimple(text, PiiPatterns.ChinaMobile(), PiiKind.ChinaMobile, into, first);
            AddSimple(text, PiiPatterns.InternationalPhone(), PiiKind.InternationalPhone, into, first);
            AddSimple(text, PiiPatterns.IPv4(), PiiKind.IPv4, into, first);
        }
        if (into.Count - first > 1)
            into.Sort(first, into.Count - first, Comparer<PiiSpan>.Create((a, b) => a.Start.CompareTo(b.Start)));
    }

    /// <summary>Convenience overload returning a new list.</summary>
    public List<PiiSpan> Scan(string text)
    {
        var spans = new List<PiiSpan>();
        Scan(text, spans);
        return spans;
    }

    private static void AddSimple(ReadOnlySpan<char> text, Regex regex, PiiKind kind, List<PiiSpan> into, int first)
    {
        foreach (var m in regex.EnumerateMatches(text))
        {
            var value = text.Slice(m.Index, m.Length);
            if (IsValid(kind, value))
                TryAdd(into, first, new PiiSpan(m.Index, m.Index + m.Length, kind));
        }
    }

    /// <summary>For "name: value" detectors the span is the value only, so masking keeps the readable label.</summary>
    private static void AddValues(ReadOnlySpan<char> text, Regex regex, PiiKind kind, List<PiiSpan> into, int first, int minLength)
    {
        foreach (var m in regex.EnumerateMatches(text))
        {
            var start = m.Index + m.Length;
            var end = start;
            while (end < text.Length && end - start < MaxSecretValueLength && !IsValueStop(text[end]))
                end++;
            // Trailing sentence punctuation belongs to the sentence, not the value.
            while (end > start && text[end - 1] is '.' or '!' or '?' or ')' or '”' or '"' or '\'')
                end--;
            var value = text[start..end];
            if (value.Length < minLength || value.IndexOfAnyExcept('*') < 0)
                continue;
            if (kind == PiiKind.ApiKey && !LooksLikeToken(value))
                continue;
            TryAdd(into, first, new PiiSpan(start, end, kind));
        }
    }

    private static bool IsValueStop(char c) =>
        char.IsWhiteSpace(c) || c is ',' or ';' or '，' or '。' or '；' or '、' or '！' or '？' or '<' or '>' or '`' or '"' or '”';

    /// <summary>Machine-made tokens mix letters and digits and look random; long plain words do not.</summary>
    private static bool LooksLikeToken(ReadOnlySpan<char> value)
    {
        bool letter = false, digit = false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '/' or '=' or '.'))
                return false;
            letter |= char.IsAsciiLetter(c);
            digit |= char.IsAsciiDigit(c);
        }
        return letter && digit && PiiValidators.EntropyBitsPerChar(value) >= MinTokenEntropy;
    }

    private static bool IsValid(PiiKind kind, ReadOnlySpan<char> value) => kind switch
    {
        PiiKind.ChinaResidentId => PiiValidators.IsChinaResidentIdValid(value),
        PiiKind.BankCard => PiiValidators.CountDigits(value) is >= 13 and <= 19 && PiiValidators.IsLuhnValid(value),
        PiiKind.InternationalPhone => PiiValidators.CountDigits(value) - (value.StartsWith("00") ? 2 : 0) is >= 8 and <= 15,
        PiiKind.IPv4 => PiiValidators.IsIPv4Valid(value),
        _ => true,
    };

    private static void TryAdd(List<PiiSpan> into, int first, PiiSpan span)
    {
        for (var i = first; i < into.Count; i++)
        {
            if (span.Start < into[i].End && into[i].Start < span.End)
                return;
        }
        into.Add(span);
    }
}
