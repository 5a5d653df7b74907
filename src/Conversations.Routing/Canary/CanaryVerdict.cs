namespace Conversations.Routing.Canary;

/// <summary>What to do with a canary now.</summary>
public enum CanaryOutcome
{
    /// <summary>Keep collecting samples.</summary>
    Continue = 0,

    /// <summary>The candidate regressed past a threshold: send all traffic back to the baseline.</summary>
    Rollback = 1,

    /// <summary>Enough candidate turns and no regression: an admin may promote it.</summary>
    ReadyToPromote = 2,
}

/// <summary>The evaluator's verdict and the reason, written for an admin.</summary>
public sealed record CanaryVerdict(CanaryOutcome Outcome, string Reason);
