using System.Text;
using System.Text.RegularExpressions;

namespace Conversations.Routing.Caching;

/// <summary>
/// The small words and marks that turn a question into its opposite while its embedding barely moves: "is remote work
/// allowed" and "is remote work not allowed", "5 &gt; 3" and "5 &lt; 3", "before March" and "after March" lie closer
/// than any similarity threshold that still matches real rephrasings. Questions whose markers differ are never
/// compared by the semantic cache (the markers are part of its partition key), so one can never get the other's answer.
/// </summary>
public static partial class QuestionMeaning
{
    // Comparison and arithmetic signs (ASCII and their Unicode forms).
    private const string Operators = "<>=≤≥≠+±×÷*/%‰^−";

    // Words that negate, English ("n't" forms are matched by their ending) and Chinese (single characters that negate
    // the word after them).
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nor", "neither", "without", "cannot", "nobody", "nothing", "nowhere", "unless", "except",
    };

    private const string NegationsZh = "不没沒无無非别別未勿否莫";

    // One side of a pair of opposites; either side present is a marker, so a question with "before" never meets one with
    // "after" (nor one with neither). Common short words ("in", "on", "up") and single Chinese characters (上, 后) are
    // left out: they appear in too many phrasings of one question to split on.
    private static readonly HashSet<string> Polar = new(StringComparer.Ordinal)
    {
        "before", "after", "earlier", "later", "earliest", "latest", "early", "late", "more", "less", "fewer", "most", "least",
        "above", "below", "over", "under", "higher", "lower", "highest", "lowest", "increase", "decrease", "raise", "reduce",
        "maximum", "minimum", "max", "min", "first", "last", "start", "end", "begin", "finish", "open", "close", "allowed",
        "forbidden", "prohibited", "banned", "allow", "forbid", "prohibit", "ban", "approve", "reject", "include", "exclude",
        "add", "remove", "buy", "sell", "send", "receive", "upgrade", "downgrade", "enable", "disable", "join", "leave",
        "hire", "fire", "accept", "decline", "gain", "loss", "profit", "oldest", "newest", "previous", "next", "inside",
        "outside", "internal", "external",
    };

    private static readonly string[] PolarZh =
    [
        "之前", "之后", "以前", "以后", "提前", "推迟", "最多", "最少", "多于", "少于", "超过", "低于", "高于", "以上", "以下", "增加",
        "减少", "提高", "降低", "最大", "最小", "允许", "禁止", "批准", "拒绝", "包括", "排除", "开始", "结束", "第一", "最后", "加入",
        "离开", "购买", "出售", "开启", "关闭", "以内", "以外",
    ];

    /// <summary>A stable text of the question's markers, for keys (empty when it has none).</summary>
    public static string Markers(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var text = question.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var markers = new List<string>();
        foreach (var c in text)
            if (Operators.Contains(c, StringComparison.Ordinal)) markers.Add("op:" + c);
        // A hyphen joins words ("e-mail"), but before a number ("-5") it is a sign.
        if (SignedNumber().IsMatch(text)) markers.Add("op:-");
        var negations = 0;
        foreach (Match word in Word().Matches(text))
        {
            var w = word.Value.Replace('’', '\'');
            if (Negations.Contains(w) || w.EndsWith("n't", StringComparison.Ordinal)) negations++;
            else if (Polar.Contains(w)) markers.Add("w:" + w);
        }
        foreach (var c in text)
            if (NegationsZh.Contains(c, StringComparison.Ordinal)) negations++;
        foreach (var phrase in PolarZh)
            if (text.Contains(phrase, StringComparison.Ordinal)) markers.Add("w:" + phrase);
        // Two negations may cancel, but "not … not" is rare enough to keep apart from none; the count is the marker.
        if (negations > 0) markers.Add("neg:" + negations);
        markers.Sort(StringComparer.Ordinal);
        return string.Join('\n', markers.Distinct(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"\p{L}+(?:['’]\p{L}+)?")]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])-\d")]
    private static partial Regex SignedNumber();
}
