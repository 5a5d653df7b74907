namespace Conversations.Moderation.Normalization;

/// <summary>Look-alike letters and digits-as-letters, folded to one Latin "skeleton" letter for lexicon matching only.</summary>
/// <remarks>
/// Applied after lower-casing. It deliberately merges l/1/i/| into 'i' and 0/o into 'o' — patterns go through
/// the same fold, so "pa55w0rd" and "password" meet. PII detection never sees this fold (it runs on the light form).
/// </remarks>
internal static class Confusables
{
    private static readonly (char From, char To)[] Pairs =
    [
        // Digits and symbols used as letters.
        ('0', 'o'), ('1', 'i'), ('3', 'e'), ('4', 'a'), ('5', 's'), ('7', 't'),
        ('@', 'a'), ('$', 's'), ('|', 'i'), ('l', 'i'), ('ı', 'i'), ('ɑ', 'a'), ('ɡ', 'g'),
        // Cyrillic look-alikes (lower case).
        ('а', 'a'), ('в', 'b'), ('е', 'e'), ('к', 'k'), ('м', 'm'), ('н', 'h'), ('о', 'o'), ('р', 'p'),
        ('с', 'c'), ('т', 't'), ('у', 'y'), ('х', 'x'), ('і', 'i'), ('ј', 'j'), ('ѕ', 's'), ('ԁ', 'd'),
        ('һ', 'h'), ('ӏ', 'i'), ('ԛ', 'q'), ('ԝ', 'w'), ('ɩ', 'i'),
        // Greek look-alikes (lower case).
        ('α', 'a'), ('β', 'b'), ('γ', 'y'), ('ε', 'e'), ('η', 'n'), ('ι', 'i'), ('κ', 'k'), ('μ', 'u'),
        ('ν', 'v'), ('ο', 'o'), ('ρ', 'p'), ('τ', 't'), ('υ', 'u'), ('χ', 'x'), ('ω', 'w'), ('ς', 's'),
    ];

    /// <summary>The skeleton letter for <paramref name="c"/> (already lower-cased), or <paramref name="c"/> itself.</summary>
    public static char Fold(char c)
    {
        foreach (var (from, to) in Pairs)
        {
            if (from == c)
                return to;
        }
        return c;
    }
}
