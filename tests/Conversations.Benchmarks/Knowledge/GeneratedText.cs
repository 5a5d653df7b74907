namespace Conversations.Benchmarks.Knowledge;

/// <summary>Company-document-like sentences on a few dozen topics, for real local-model embeddings.</summary>
internal sealed class GeneratedText(int seed)
{
    private static readonly string[] Topics =
    [
        "annual leave", "travel expenses", "laptop replacement", "parking permits", "pension contributions", "the staff bonus",
        "the manager bonus", "remote work", "overtime pay", "health insurance", "security badges", "password rotation",
        "printer access", "meeting rooms", "client invoices", "project budgets", "training courses", "company cars",
        "share options", "salary reviews", "parental leave", "sick leave", "the canteen", "office moves", "hiring freezes",
        "performance reviews", "code of conduct", "data protection", "incident reports", "supplier contracts",
    ];
    private static readonly string[] Verbs = ["is reviewed", "must be requested", "is approved", "is paid", "is limited", "is explained", "changes", "is tracked"];
    private static readonly string[] Tails =
    [
        "by your manager", "every April", "through the HR portal", "within thirty days", "for all employees", "after the probation period",
        "by the finance team", "once a year", "in the staff handbook", "with written approval", "for senior staff only", "at the end of each quarter",
    ];

    private readonly Random _rng = new(seed);

    /// <summary>One sentence.</summary>
    public string Sentence() =>
        $"{Cap(Topics[_rng.Next(Topics.Length)])} {Verbs[_rng.Next(Verbs.Length)]} {Tails[_rng.Next(Tails.Length)]}.";

    /// <summary>A paragraph of <paramref name="sentences"/> sentences.</summary>
    public string Paragraph(int sentences) => string.Join(" ", Enumerable.Range(0, sentences).Select(_ => Sentence()));

    /// <summary>A question on a random topic.</summary>
    public string Question() => $"How {Verbs[_rng.Next(Verbs.Length)].Split(' ')[^1]} is {Topics[_rng.Next(Topics.Length)]} handled?";

    private static string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
