namespace Conversations.Moderation.Pii;

/// <summary>
/// A tenant's published contacts: e-mail addresses (<c>hr@example.com</c>), whole mail domains (<c>@example.com</c>)
/// and phone numbers that are the company's own, not anyone's personal data. An answer that cites the help desk's
/// address shows it; every other address and number is still masked.
/// </summary>
public sealed class PublicContacts
{
    private readonly HashSet<string> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _phones = new(StringComparer.Ordinal);

    /// <summary>Reads entries already checked by <see cref="Problem"/>.</summary>
    public PublicContacts(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.StartsWith('@')) _domains.Add(entry[1..]);
            else if (entry.Contains('@')) _addresses.Add(entry);
            else _phones.Add(Digits(entry));
        }
    }

    /// <summary>True when none are listed.</summary>
    public bool IsEmpty => _addresses.Count == 0 && _domains.Count == 0 && _phones.Count == 0;

    /// <summary>Whether a finding of <paramref name="kind"/> with the text <paramref name="found"/> is one of the listed contacts.</summary>
    public bool Covers(PiiKind kind, ReadOnlySpan<char> found) => kind switch
    {
        PiiKind.Email => _addresses.Contains(found.ToString()) || (found.IndexOf('@') is var at and >= 0 && _domains.Contains(found[(at + 1)..].ToString())),
        PiiKind.ChinaMobile or PiiKind.InternationalPhone => IsListedPhone(Digits(found)),
        _ => false,
    };

    /// <summary>What is wrong with one entry, or null when it is an address, a domain (<c>@example.com</c>) or a phone number.</summary>
    public static string? Problem(string entry)
    {
        if (entry.Length is 0 or > 254) return "must have 1 to 254 characters";
        if (entry.StartsWith('@'))
            return IsDomain(entry.AsSpan(1)) ? null : "a domain is written @example.com";
        var at = entry.IndexOf('@');
        if (at >= 0)
            return at > 0 && entry.IndexOf('@', at + 1) < 0 && !entry.AsSpan(0, at).ContainsAny(' ', '\t') && IsDomain(entry.AsSpan(at + 1))
                ? null : "an e-mail address is written name@example.com";
        var digits = Digits(entry).Length;
        return digits is >= 6 and <= 15 && entry.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')
            ? null : "a phone number has 6 to 15 digits (spaces, '+', '-', '(', ')' and '.' allowed)";
    }

    // The same number with or without its country or trunk prefix: one digit string ends with the other (7 digits at least).
    private bool IsListedPhone(string digits) => _phones.Contains(digits)
        || _phones.Any(p => Math.Min(p.Length, digits.Length) >= 7 && (p.EndsWith(digits, StringComparison.Ordinal) || digits.EndsWith(p, StringComparison.Ordinal)));

    private static bool IsDomain(ReadOnlySpan<char> domain) =>
        domain.Length is > 2 and <= 253 && domain.Contains('.') && domain[0] != '.' && domain[^1] != '.'
        && !domain.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");

    private static string Digits(ReadOnlySpan<char> text)
    {
        Span<char> digits = stackalloc char[Math.Min(text.Length, 64)];
        var n = 0;
        foreach (var c in text)
            if (char.IsAsciiDigit(c) && n < digits.Length) digits[n++] = c;
        return new string(digits[..n]);
    }
}
