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
        if (decision.Incomplete) return $"{runs} Gate undecided: {NotAsked(decision)}";
        return decision.Passed ? $"{runs} Gate passed." : $"{runs} Gate failed: {string.Join(" ", decision.Failures.Select(f => f.Message))}";
    }

    // "the incumbent 'base': 2 of 3 cases not asked (rate_limited: 2)."
    private static string NotAsked(GateDecision decision) => string.Join(" ", (decision.NotAsked ?? []).Select(a =>
        $"the {a.Arm} '{a.ModelId}': {a.NotAsked} of {a.Cases} cases not asked ({string.Join(", ", a.Reasons.Select(r => $"{r.Key}: {r.Value}"))})."));

    /// <summary>
    /// 409 <c>evaluation_incomplete</c> when some case of either arm was never asked: the gate compares only evidence
    /// about both models, so it does not decide, and an override does not promote past it.
    /// </summary>
    public static ProblemHttpResult Undecided(CanarySettings canary, GateDecision decision) => TypedResults.Problem(
        detail: $"Promotion of '{canary.CandidateModelId}' was not decided: {NotAsked(decision)} A case that was not asked says nothing about either model; "
            + "run the promotion again when the limits, budget, users and endpoints allow every case to be asked.",
        statusCode: StatusCodes.Status409Conflict,
        title: "The evaluation could not ask every case",
        type: "https://httpstatuses.io/409",
        extensions: new Dictionary<string, object?>
        {
            ["code"] = "evaluation_incomplete",
            ["notAsked"] = decision.NotAsked,
            ["candidateRunId"] = decision.CandidateRunId,
            ["incumbentRunId"] = decision.IncumbentRunId,
        });

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
