using System.Globalization;
using Conversations.Contracts.Evaluation;
using Conversations.Contracts.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Routing;

/// <summary>How the promotion gate's verdict reads in routing events and in a refused promotion.</summary>
internal static class EvaluationGateText
{
    /// <summary>One line: the compared runs' averages and each failing metric.</summary>
    public static string Summary(CanarySettings canary, GateDecision decision)
    {
        var runs = decision.Candidate is { } c && decision.Incumbent is { } i
            ? string.Create(CultureInfo.InvariantCulture,
                $"Evaluation '{canary.EvaluationSetId}': '{canary.CandidateModelId}' fact recall {c.FactRecall:0.###}, citation precision {c.CitationPrecision:0.###}, refusal rate {c.RefusalRate:0.###} (run {decision.CandidateRunId}); "
                + $"'{canary.BaselineModelId}' {i.FactRecall:0.###}, {i.CitationPrecision:0.###}, {i.RefusalRate:0.###} (run {decision.IncumbentRunId}).")
            : "No evaluation set.";
        return decision.Passed ? $"{runs} Gate passed." : $"{runs} Gate failed: {string.Join(" ", decision.Failures.Select(f => f.Message))}";
    }

    /// <summary>422 naming every failing metric with the candidate's and the incumbent's figures and the margin.</summary>
    public static ProblemHttpResult Refusal(CanarySettings canary, GateDecision decision) => TypedResults.Problem(
        detail: $"Promotion of '{canary.CandidateModelId}' was refused. " + string.Join(" ", decision.Failures.Select(f => f.Message))
            + " Improve the candidate, or promote with override and a reason.",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The candidate is worse than the model it would replace",
        type: "https://httpstatuses.io/422",
        extensions: new Dictionary<string, object?>
        {
            ["failures"] = decision.Failures,
            ["candidateRunId"] = decision.CandidateRunId,
            ["incumbentRunId"] = decision.IncumbentRunId,
            ["candidate"] = decision.Candidate,
            ["incumbent"] = decision.Incumbent,
        });
}
