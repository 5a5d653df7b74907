namespace Conversations.Routing.Router;

/// <summary>Which side of a canary release a turn is on.</summary>
public enum CanaryArm
{
    /// <summary>No canary applies to this turn.</summary>
    None = 0,

    /// <summary>Eligible for the canary, served by the baseline model.</summary>
    Baseline = 1,

    /// <summary>Served by the candidate model.</summary>
    Candidate = 2,
}
