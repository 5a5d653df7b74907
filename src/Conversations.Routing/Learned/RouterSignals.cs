using System.Text.RegularExpressions;
using Conversations.Routing.Complexity;
using Conversations.Text;

namespace Conversations.Routing.Learned;

/// <summary>
/// The cheap, named signals the learned router reads beside the question's embedding: length, language, numbers and
/// operators, equation and code shape, several questions, retrieval and conversation depth, and the keyword
/// estimator's own score. Each is scaled to roughly 0..1 so the weights can be read side by side.
/// </summary>
public static partial class RouterSignals
{
    /// <summary>The signal names, in vector order (the weights file lists them too, and must match).</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "length", "chinese", "numbers", "arithmetic", "equation", "code shape", "questions", "sentences", "lines",
        "retrieval score", "no retrieval", "conversation depth", "keyword score",
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
        ];
    }

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
}
