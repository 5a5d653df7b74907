using Conversations.Text;

namespace Conversations.Routing.Complexity;

/// <summary>
/// Scores how demanding a question is from its length, its reasoning, code, math and writing cues (English and
/// Chinese), how well retrieval matched it and how deep the conversation is. The score is a sum of small,
/// explainable parts, each with a reason, clamped to 0..1; the router compares it with the policy's threshold.
/// </summary>
public sealed class ComplexityEstimator
{
    /// <summary>Weight of the first reasoning cue; one cue alone stays under the default threshold.</summary>
    internal const double FirstReasoningWeight = 0.35;

    /// <summary>Weight of each further distinct reasoning cue.</summary>
    internal const double ExtraReasoningWeight = 0.1;

    /// <summary>Most that reasoning cues add together.</summary>
    internal const double MaxReasoningWeight = 0.55;

    /// <summary>Weight of programming words or code-shaped text.</summary>
    internal const double CodeWeight = 0.35;

    /// <summary>Extra weight when there are both programming words and code-shaped text.</summary>
    internal const double CodeShapeBonus = 0.1;

    /// <summary>Weight of a calculation cue.</summary>
    internal const double MathWeight = 0.2;

    /// <summary>Extra weight for a calculation over three or more numbers (a multi-step problem).</summary>
    internal const double MultiStepMathWeight = 0.2;

    /// <summary>Weight of asking for a written artefact.</summary>
    internal const double WritingWeight = 0.15;

    /// <summary>Weight of asking to combine several sources or circumstances.</summary>
    internal const double SynthesisWeight = 0.15;

    /// <summary>Weight of a second request in the same message.</summary>
    internal const double MultiPartWeight = 0.15;

    /// <summary>Words (a Chinese character counts as 0.6 of one) below which length adds nothing.</summary>
    internal const double LengthFloorWords = 20;

    /// <summary>Words over the floor per unit of score.</summary>
    internal const double LengthWordsPerPoint = 80;

    /// <summary>Most that length adds.</summary>
    internal const double MaxLengthWeight = 0.2;

    /// <summary>Top retrieval score under which the answer must be pieced together rather than looked up.</summary>
    internal const double WeakRetrievalScore = 0.5;

    /// <summary>Weight of weak retrieval.</summary>
    internal const double WeakRetrievalWeight = 0.15;

    /// <summary>Top retrieval score above which one passage likely holds the answer.</summary>
    internal const double StrongRetrievalScore = 0.8;

    /// <summary>Weight (negative) of strong retrieval.</summary>
    internal const double StrongRetrievalWeight = -0.1;

    /// <summary>Conversation depth from which follow-ups lean on much earlier context.</summary>
    internal const int DeepConversationTurns = 10;

    /// <summary>Weight of a deep conversation.</summary>
    internal const double DeepConversationWeight = 0.05;

    /// <summary>Domain name reported for code questions.</summary>
    public const string CodeDomain = "code";

    /// <summary>Domain name reported for calculation questions.</summary>
    public const string MathDomain = "math";

    /// <summary>Scores <paramref name="input"/>; the same input always gives the same estimate.</summary>
    public ComplexityEstimate Estimate(ComplexityInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var question = input.Question ?? string.Empty;
        var text = question.ToLowerInvariant();
        var reasons = new List<string>();
        var domains = new List<string>();
        double score = 0;

        var words = WordCount(question);
        var lengthScore = Math.Clamp((words - LengthFloorWords) / LengthWordsPerPoint, 0, MaxLengthWeight);
        if (lengthScore > 0)
        {
            score += lengthScore;
            reasons.Add($"long question (~{words:0} words)");
        }

        var reasoning = PhraseMatcher.Find(text, ComplexityMarkers.ReasoningEnglish, ComplexityMarkers.ReasoningChinese);
        if (reasoning.Count > 0)
        {
            score += Math.Min(MaxReasoningWeight, FirstReasoningWeight + (ExtraReasoningWeight * (reasoning.Count - 1)));
            reasons.Add("reasoning cues: " + string.Join(", ", reasoning));
        }

        var codeWords = PhraseMatcher.Find(text, ComplexityMarkers.CodeEnglish, ComplexityMarkers.CodeChinese);
        var codeShape = ComplexityMarkers.CodeShape().IsMatch(question);
        if (codeWords.Count > 0 || codeShape)
        {
            score += CodeWeight + (codeWords.Count > 0 && codeShape ? CodeShapeBonus : 0);
            reasons.Add("code: " + string.Join(", ", codeShape ? codeWords.Append("code-shaped text") : codeWords));
            domains.Add(CodeDomain);
        }

        var mathWords = PhraseMatcher.Find(text, ComplexityMarkers.MathEnglish, ComplexityMarkers.MathChinese);
        var arithmetic = ComplexityMarkers.ArithmeticShape().IsMatch(question);
        if (mathWords.Count > 0 || arithmetic)
        {
            score += MathWeight;
            var numbers = ComplexityMarkers.Number().Count(question);
            if (numbers >= 3)
            {
                score += MultiStepMathWeight;
            }

            reasons.Add($"calculation: {string.Join(", ", arithmetic ? mathWords.Append("arithmetic") : mathWords)}; {numbers} numbers");
            domains.Add(MathDomain);
        }

        AddIfAny(PhraseMatcher.Find(text, ComplexityMarkers.WritingEnglish, ComplexityMarkers.WritingChinese), WritingWeight, "asks for a written piece");
        AddIfAny(PhraseMatcher.Find(text, ComplexityMarkers.SynthesisEnglish, ComplexityMarkers.SynthesisChinese), SynthesisWeight, "combines sources or circumstances");

        var questionMarks = question.Count(c => c is '?' or '？');
        var secondRequests = PhraseMatcher.Find(text, ComplexityMarkers.SecondRequestEnglish, ComplexityMarkers.SecondRequestChinese);
        if (questionMarks >= 2 || secondRequests.Count > 0)
        {
            score += MultiPartWeight;
            reasons.Add(questionMarks >= 2 ? $"several questions ({questionMarks})" : "second request: " + secondRequests[0]);
        }

        AddContextSignals(input, ref score, reasons);

        if (reasons.Count == 0)
        {
            reasons.Add("short question without reasoning, code or math cues");
        }

        return new ComplexityEstimate(Math.Round(Math.Clamp(score, 0, 1), 4), reasons, domains);

        void AddIfAny(List<string> found, double weight, string reason)
        {
            if (found.Count > 0)
            {
                score += weight;
                reasons.Add($"{reason}: {string.Join(", ", found)}");
            }
        }
    }

    // What the turn's context says beyond the question's words: how well retrieval matched, and how deep the conversation is.
    private static void AddContextSignals(ComplexityInput input, ref double score, List<string> reasons)
    {
        if (input.RetrievalTopScore is { } top)
        {
            if (top < WeakRetrievalScore)
            {
                score += WeakRetrievalWeight;
                reasons.Add($"weak retrieval match ({top:0.00})");
            }
            else if (top >= StrongRetrievalScore)
            {
                score += StrongRetrievalWeight;
                reasons.Add($"strong retrieval match ({top:0.00})");
            }
        }

        if (input.ConversationDepth >= DeepConversationTurns)
        {
            score += DeepConversationWeight;
            reasons.Add($"deep conversation ({input.ConversationDepth} turns)");
        }
    }

    /// <summary>Latin words plus 0.6 per Han character: a rough, tokenizer-free length.</summary>
    public static double WordCount(string text)
    {
        double cjk = text.Count(c => Scripts.IsHan(c));
        return ComplexityMarkers.LatinWord().Count(text) + (cjk * 0.6);
    }
}
