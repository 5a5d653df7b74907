using System.Text;

namespace Conversations.Moderation.Pii;

/// <summary>Writes the masked form of a detected span: enough left to recognise it, not enough to use it.</summary>
/// <remarks>
/// Phones keep the first three and last four digits (<c>138****5678</c>), ID numbers the first three and last four,
/// cards the first and last four, e-mails the first letter and the domain (<c>a***@x.com</c>), IPv4 the first two
/// octets. Secrets and passwords become a fixed <c>******</c> so even their length is hidden.
/// </remarks>
internal static class PiiMasker
{
    /// <summary>The fixed replacement for secrets and passwords.</summary>
    public const string SecretMask = "******";

    /// <summary>Appends the masked form of <paramref name="original"/> (a span of kind <paramref name="kind"/>) to <paramref name="output"/>.</summary>
    public static void Append(PiiKind kind, ReadOnlySpan<char> original, StringBuilder output)
    {
        switch (kind)
        {
            case PiiKind.Email:
                AppendEmail(original, output);
                break;
            case PiiKind.ChinaMobile:
                // "+86 " prefixes keep their digits; the 11-digit number keeps 3 + 4.
                var total = CountDigits(original);
                AppendDigits(original, output, keepFirst: total - 8, keepLast: 4);
                break;
            case PiiKind.InternationalPhone:
                AppendDigits(original, output, keepFirst: 3, keepLast: 2);
                break;
            case PiiKind.ChinaResidentId:
                AppendDigits(original, output, keepFirst: 3, keepLast: 4);
                break;
            case PiiKind.BankCard:
                AppendDigits(original, output, keepFirst: 4, keepLast: 4);
                break;
            case PiiKind.IPv4:
                AppendIPv4(original, output);
                break;
            default:
                output.Append(SecretMask);
                break;
        }
    }

    /// <summary>The masked form of <paramref name="original"/> as a string.</summary>
    public static string Mask(PiiKind kind, string original)
    {
        var sb = new StringBuilder(original.Length);
        Append(kind, original, sb);
        return sb.ToString();
    }

    private static void AppendEmail(ReadOnlySpan<char> original, StringBuilder output)
    {
        var at = original.IndexOfAny('@', '＠');
        if (at <= 0)
        {
            output.Append(SecretMask);
            return;
        }
        output.Append(original[0]).Append("***").Append(original[at..]);
    }

    /// <summary>Masks the digits between the first <paramref name="keepFirst"/> and last <paramref name="keepLast"/>; separators stay.</summary>
    private static void AppendDigits(ReadOnlySpan<char> original, StringBuilder output, int keepFirst, int keepLast)
    {
        var total = CountDigits(original);
        var seen = 0;
        foreach (var c in original)
        {
            if (char.IsDigit(c) || c is 'x' or 'X')
            {
                output.Append(seen < keepFirst || seen >= total - keepLast ? c : '*');
                seen++;
            }
            else
            {
                output.Append(c);
            }
        }
    }

    private static void AppendIPv4(ReadOnlySpan<char> original, StringBuilder output)
    {
        var dots = 0;
        foreach (var c in original)
        {
            if (c is '.' or '．')
                dots++;
            output.Append(dots >= 2 && char.IsDigit(c) ? '*' : c);
        }
    }

    private static int CountDigits(ReadOnlySpan<char> original)
    {
        var n = 0;
        foreach (var c in original)
        {
            if (char.IsDigit(c) || c is 'x' or 'X')
                n++;
        }
        return n;
    }
}
