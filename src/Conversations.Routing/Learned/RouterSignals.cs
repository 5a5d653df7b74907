using System.Text.RegularExpressions;
using Conversations.Routing.Complexity;
using Conversations.Text;

namespace Conversations.Routing.Learned;

/// <summary>
/// The cheap, named signals the learned router reads beside the question's embedding: length, language, numbers and
/// operators, equation and code shape, several questions, retrieval and conversation depth, pasted or quoted text,
/// and the keyword estimator's own score. Each is scaled to roughly 0..1 so the weights can be read side by side.
/// </summary>
internal static partial class RouterSignals
{
    /// <summary>The signal names, in vector order (the weights file lists them too, and must match).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "length", "chinese", "numbers", "arithmetic", "equation", "code shape", "questions", "sentences", "lines",
        "retrieval score", "no retrieval", "conversation depth", "keyword score", "look-up words", "task words",
        "word problem", "last ask length", "pasted text", "quoted share",
    ];

    private static readonly ComplexityEstimator Keywords = new();

    /// <summary>The signals of <paramref name="input"/>, in <see cref="Names"/> order.</summary>
    public static double[] Of(ComplexityInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var q = input.Question ?? string.Empty;
        var words = ComplexityEstimator.WordCount(q);
        var letters = q.Count(c => !char.IsWhiteSpace(c) && !char.IsPunctuation(c));
        var han = q.Count(c => Scripts.IsHan(c));
        return
        [
            Math.Log(1 + words) / 5,
            letters == 0 ? 0 : (double)han / letters,
            Math.Min(1, Number().Count(q) / 5.0),
            Arithmetic().IsMatch(q) ? 1 : 0,
            Equation().IsMatch(q) ? 1 : 0,
            CodeShape().IsMatch(q) ? 1 : 0,
            Math.Min(1, q.Count(c => c is '?' or '？') / 3.0),
            Math.Min(1, SentenceEnd().Count(q) / 5.0),
            Math.Min(1, q.Count(c => c == '\n') / 5.0),
            input.RetrievalTopScore ?? 0,
            input.RetrievalTopScore is null ? 1 : 0,
            Math.Min(1, input.ConversationDepth / 20.0),
            Keywords.Estimate(input).Score,
            LookUpWords().IsMatch(q) ? 1 : 0,
            Math.Min(1, TaskWords().Count(q) / 2.0),
            WordProblem().IsMatch(q) && Number().Count(q) >= 2 ? 1 : 0,
            Math.Log(1 + ComplexityEstimator.WordCount(LastAsk(q))) / 5,
            Pasted().IsMatch(q) ? 1 : 0,
            QuotedShare(q),
        ];
    }

    // How much of the question is quoted text (a clause, a notice, a line of a policy): a long quote with a short ask
    // after it is a look-up in the quote however long it is. Quotes under 12 characters name a term, not a passage.
    private static double QuotedShare(string q)
    {
        if (q.Length == 0) return 0;
        var quoted = 0;
        foreach (Match m in Quoted().Matches(q)) quoted += m.Length;
        return Math.Min(1, (double)quoted / q.Length);
    }

    // The request itself, after any pasted text or story before it: the last sentence that is not empty.
    private static string LastAsk(string q)
    {
        var parts = SentenceEnd().Split(q.Trim()).Where(p => p.Trim().Length > 0).ToList();
        return parts.Count == 0 ? q : parts[^1];
    }

    // Asking for one fact, one place or one how-to: "what time", "do we have", "多少钱", "在哪", "有没有", a closing "吗".
    [GeneratedRegex(@"\b(what time|when (is|does|do|are)|where (is|do|can|are)|who (is|do|should)|which \w+ (is|do|does)|is there|are there|do we have|do i need|can i|am i|how many days|how much (is|does)|what'?s the|what is the|status of|phone number|how do i|is it ok)\b|什么时候|几点|在哪|哪里|哪个|有没有|是不是|是多少|多少钱|电话|能不能|可以.{0,12}[吗么]|[吗么嘛][？?！!～~]*\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LookUpWords();

    // Asking for a plan, a design, an arrangement or a judgement, with or without a reasoning cue.
    [GeneratedRegex(@"\b(plan|planning|roadmap|schedule|set up|put together|figure out|break down|lay out|work out|rework|redistribute|reallocate|split|what should|how should|how do we|how can we|how would you|worth it|help me decide|go about)\b|计划|方案|设计|安排|规划|怎么排|排一下|拆一下|拆成|重新|怎么办|怎么处理|怎么谈|怎么讲|怎么定|怎么分|怎么划|怎么保|怎么改|怎么拆|怎么配置|怎么打开|该怎么|要怎么|如何|搞个|搞一个|理一理|值不值|划算|分析|压到|压下来|路径|里程碑|复盘|整理成|还价", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TaskWords();

    // A quantity asked about: "how many", "how long", "how much", "多少", "几", "多久", "多长".
    [GeneratedRegex(@"\bhow (many|much|long|fast|often)\b|\bwhat (is|'s) the (total|average|rate|probability|chance)|多少|几[天台个只人次年月小时]|多久|多长|多大|概率|各几", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex WordProblem();

    // Text pasted or forwarded into the question: quote marks at line starts, "FW:"/"RE:", "pasting", "贴给你", "转发".
    [GeneratedRegex(@"(^|\s)>{1,3}\s|\b(FW|Fwd|RE):|\bpast(e|ing)\b|贴给你|转发|以下是|如下[:：]", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex Pasted();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"\d\s*[-+*/×÷^=]\s*\d|\d\s*[%％]", RegexOptions.CultureInvariant)]
    private static partial Regex Arithmetic();

    // An unknown in an equation or a formula: "2x + 3 = 7", "x^2", "f(x)", "√", "∑", "解方程".
    [GeneratedRegex(@"\b\d*[a-z]\s*[\^²³]|\b\d*[a-z]\b\s*[-+*/]\s*\d+[^=\n]{0,20}=|\b[a-z]\s*=\s*[-\d(]|[-+*/]\s*\d*[a-z]\b\s*=|=\s*\d*[a-z]\b|\bf\([a-z]\)|[√∑∫π≤≥≠]|方程|未知数", RegexOptions.CultureInvariant)]
    private static partial Regex Equation();

    [GeneratedRegex(@"```|\b[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\([^)]*\)|=>|[{}]|;\s*$|\bSELECT\b.+\bFROM\b|\b(def|class|return|import|public|void|var|const|let|func|fn)\s|[A-Za-z]+_[A-Za-z]+|</?[a-z]+>", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex CodeShape();

    [GeneratedRegex(@"[.!?。！？；;](\s|$)|[。！？；]", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceEnd();

    // “…”, ‘…’, 「…」, 『…』 and "…" of 12 characters or more; '…' only between a space or colon and a space or stop,
    // so apostrophes ("don't … it's") do not pair up.
    [GeneratedRegex(@"“[^”]{12,}”|‘[^’]{12,}’|「[^」]{12,}」|『[^』]{12,}』|""[^""\n]{12,}""|(?<=^|[\s:：(])'[^'\n]{12,}'(?=[\s.,;:!?)]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();
}
