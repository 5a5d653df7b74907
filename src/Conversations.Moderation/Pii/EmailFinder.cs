namespace Conversations.Moderation.Pii;

/// <summary>Finds e-mail addresses by anchoring on '@' and growing outwards.</summary>
/// <remarks>A regex would try a local part at every letter of the text; text has few '@', so this is far cheaper.</remarks>
internal static class EmailFinder
{
    private const int MaxLocal = 64;
    private const int MaxDomain = 253;

    /// <summary>Finds the next valid address at or after <paramref name="searchFrom"/>; advances it past the '@' examined.</summary>
    public static bool TryFindNext(ReadOnlySpan<char> text, ref int searchFrom, out PiiSpan span)
    {
        span = default;
        for (var at = NextAt(text, searchFrom - 1); at >= 0; at = NextAt(text, at))
        {
            searchFrom = at + 1;
            var start = at;
            while (start > 0 && at - start < MaxLocal && IsLocalChar(text[start - 1]))
                start--;
            if (start > 0 && IsLocalChar(text[start - 1]))
                continue; // local part longer than allowed
            while (start < at && !char.IsAsciiLetterOrDigit(text[start]))
                start++;
            var end = at + 1;
            while (end < text.Length && end - at <= MaxDomain && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '.'))
                end++;
            while (end > at + 1 && text[end - 1] is '.' or '-')
                end--;
            if (start < at && IsValidLocal(text[start..at]) && IsValidDomain(text[(at + 1)..end]))
            {
                span = new PiiSpan(start, end, PiiKind.Email);
                return true;
            }
        }
        searchFrom = text.Length;
        return false;
    }

    private static int NextAt(ReadOnlySpan<char> text, int at)
    {
        var next = text[(at + 1)..].IndexOf('@');
        return next < 0 ? -1 : at + 1 + next;
    }

    private static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static bool IsValidLocal(ReadOnlySpan<char> local) => local[^1] != '.' && local.IndexOf("..") < 0;

    /// <summary>Labels of letters, digits and inner hyphens; at least two labels; an alphabetic TLD of 2–24 letters.</summary>
    private static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        var lastDot = domain.LastIndexOf('.');
        if (lastDot <= 0)
            return false;
        var tld = domain[(lastDot + 1)..];
        if (tld.Length is < 2 or > 24)
            return false;
        foreach (var c in tld)
        {
            if (!char.IsAsciiLetter(c))
                return false;
        }
        foreach (var label in domain.Split('.'))
        {
            var part = domain[label];
            if (part.Length is 0 or > 63 || part[0] == '-' || part[^1] == '-')
                return false;
        }
        return true;
    }
}
