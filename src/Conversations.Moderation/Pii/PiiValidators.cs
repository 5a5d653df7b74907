namespace Conversations.Moderation.Pii;

/// <summary>Checksums and plausibility checks that turn pattern matches into validated detections.</summary>
internal static class PiiValidators
{
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckChars = "10X98765432";

    /// <summary>Luhn (mod 10) check over the ASCII digits of <paramref name="text"/>; other chars are skipped.</summary>
    public static bool IsLuhnValid(ReadOnlySpan<char> text)
    {
        var sum = 0;
        var count = 0;
        for (var i = text.Length - 1; i >= 0; i--)
        {
            var c = text[i];
            if (c is < '0' or > '9')
                continue;
            var d = c - '0';
            if ((count & 1) == 1)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }
            sum += d;
            count++;
        }
        return count > 0 && sum % 10 == 0;
    }

    /// <summary>GB 11643 check: 18 chars, 17 digits + check char (digit or X), a real birth date not in the future.</summary>
    public static bool IsChinaResidentIdValid(ReadOnlySpan<char> id, DateOnly? today = null)
    {
        if (id.Length != 18)
            return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (id[i] is < '0' or > '9')
                return false;
            sum += (id[i] - '0') * IdWeights[i];
        }
        if (char.ToUpperInvariant(id[17]) != IdCheckChars[sum % 11])
            return false;
        var year = int.Parse(id.Slice(6, 4));
        var month = int.Parse(id.Slice(10, 2));
        var day = int.Parse(id.Slice(12, 2));
        if (year < 1900 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        return new DateOnly(year, month, day) <= (today ?? DateOnly.FromDateTime(DateTime.UtcNow));
    }

    /// <summary>Dotted quad with four octets 0–255 and no leading zeros.</summary>
    public static bool IsIPv4Valid(ReadOnlySpan<char> text)
    {
        var parts = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
                continue;
            var octet = text[start..i];
            if (octet.Length is 0 or > 3 || (octet.Length > 1 && octet[0] == '0'))
                return false;
            foreach (var c in octet)
            {
                if (c is < '0' or > '9')
                    return false;
            }
            if (int.Parse(octet) > 255)
                return false;
            parts++;
            start = i + 1;
        }
        return parts == 4;
    }

    /// <summary>Shannon entropy in bits per char; random tokens score high, words and repeats low.</summary>
    public static double EntropyBitsPerChar(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return 0;
        Span<int> counts = stackalloc int[128];
        var other = 0;
        foreach (var c in text)
        {
            if (c < 128)
                counts[c]++;
            else
                other++;
        }
        double entropy = 0;
        foreach (var n in counts)
            entropy += Term(n, text.Length);
        return entropy + Term(other, text.Length);

        static double Term(int n, int total)
        {
            if (n == 0)
                return 0;
            var p = (double)n / total;
            return -p * Math.Log2(p);
        }
    }

    /// <summary>Number of ASCII digits in <paramref name="text"/>.</summary>
    public static int CountDigits(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
                n++;
        }
        return n;
    }
}
