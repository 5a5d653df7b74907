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
    private readonly List<Phone> _phones = [];

    // Public mail providers: listing one would unmask every address there, which is nobody's published contact.
    private static readonly HashSet<string> MailProviders = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com", "aol.com",
        "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
        "mail.ru", "yandex.ru", "yandex.com", "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sohu.com",
        "aliyun.com", "139.com", "naver.com", "daum.net",
    };

    /// <summary>Reads entries already checked by <see cref="Problem"/>.</summary>
    public PublicContacts(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.StartsWith('@')) _domains.Add(entry[1..]);
            else if (entry.Contains('@')) _addresses.Add(entry);
            else _phones.Add(Phone.Of(entry));
        }
    }

    /// <summary>True when none are listed.</summary>
    public bool IsEmpty => _addresses.Count == 0 && _domains.Count == 0 && _phones.Count == 0;

    /// <summary>Whether a finding of <paramref name="kind"/> with the text <paramref name="found"/> is one of the listed contacts.</summary>
    public bool Covers(PiiKind kind, ReadOnlySpan<char> found) => kind switch
    {
        PiiKind.Email => _addresses.Contains(found.ToString()) || (found.IndexOf('@') is var at and >= 0 && _domains.Contains(found[(at + 1)..].ToString())),
        PiiKind.ChinaMobile or PiiKind.InternationalPhone => Phone.Of(found) is var phone && _phones.Any(p => p.IsSameNumber(phone)),
        _ => false,
    };

    /// <summary>What is wrong with one entry, or null when it is an address, a domain (<c>@example.com</c>) or a phone number.</summary>
    public static string? Problem(string entry)
    {
        if (entry.Length is 0 or > 254) return "must have 1 to 254 characters";
        if (entry.StartsWith('@'))
        {
            if (!IsDomain(entry.AsSpan(1))) return "a domain is written @example.com";
            return MailProviders.Contains(entry[1..]) ? "a public mail provider's domain would unmask every address there; list the address itself" : null;
        }
        var at = entry.IndexOf('@');
        if (at >= 0)
            return at > 0 && entry.IndexOf('@', at + 1) < 0 && IsLocalPart(entry.AsSpan(0, at)) && IsDomain(entry.AsSpan(at + 1))
                ? null : "an e-mail address is written name@example.com";
        var digits = Digits(entry);
        return digits.Length is >= 6 and <= 15 && digits.Any(c => c != '0') && entry.LastIndexOf('+') <= 0
            && entry.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')
            ? null : "a phone number has 6 to 15 digits ('+' first for a country code; spaces, '-', '(', ')' and '.' allowed)";
    }

    // The characters of an address's local part (RFC 5322's atext, dots between them).
    private static bool IsLocalPart(ReadOnlySpan<char> local) =>
        local.Length <= 64 && local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal)
        && !local.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-");

    // Labels of letters, digits and inner hyphens, at least two, the last of letters.
    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length is < 4 or > 253) return false;
        var labels = domain.ToString().Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-'
                && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            && labels[^1].Length >= 2 && labels[^1].All(char.IsAsciiLetter);
    }

    private static string Digits(ReadOnlySpan<char> text)
    {
        Span<char> digits = stackalloc char[Math.Min(text.Length, 64)];
        var n = 0;
        foreach (var c in text)
            if (char.IsAsciiDigit(c) && n < digits.Length) digits[n++] = c;
        return new string(digits[..n]);
    }

    // A number as written: international (a '+' or "00" first: the digits start with the country code) or national
    // (a trunk '0' dropped).
    private readonly record struct Phone(bool International, string Digits)
    {
        public static Phone Of(ReadOnlySpan<char> text)
        {
            text = text.Trim();
            var digits = PublicContacts.Digits(text);
            if (text.StartsWith("+")) return new(true, digits);
            if (text.StartsWith("00")) return new(true, digits[2..]);
            return new(false, digits.StartsWith('0') ? digits[1..] : digits);
        }

        // Both international or both national: the same digits. One of each: the international one is the national
        // one after a country code of 1 to 3 digits. Any other shared ending is another person's number.
        public bool IsSameNumber(Phone other)
        {
            if (International == other.International) return Digits == other.Digits;
            var (intl, national) = International ? (this, other) : (other, this);
            return national.Digits.Length >= 6 && intl.Digits.Length - national.Digits.Length is >= 1 and <= 3
                && intl.Digits.EndsWith(national.Digits, StringComparison.Ordinal);
        }
    }
}
