namespace Conversations.Routing.Router;

/// <summary>The names a canary arm has on the wire (route outcomes, canary tallies): "none", "baseline", "candidate".</summary>
public static class CanaryArmNames
{
    /// <summary>The wire name of <see cref="CanaryArm.None"/>.</summary>
    public const string None = "none";

    /// <summary>The wire name of <see cref="CanaryArm.Baseline"/>.</summary>
    public const string Baseline = "baseline";

    /// <summary>The wire name of <see cref="CanaryArm.Candidate"/>.</summary>
    public const string Candidate = "candidate";

    /// <summary>The wire name of <paramref name="arm"/>.</summary>
    public static string Of(CanaryArm arm) => arm switch
    {
        CanaryArm.Baseline => Baseline,
        CanaryArm.Candidate => Candidate,
        _ => None,
    };

    /// <summary>The arm a wire name stands for; an unknown name is no arm.</summary>
    public static CanaryArm Parse(string? name) => name switch
    {
        Baseline => CanaryArm.Baseline,
        Candidate => CanaryArm.Candidate,
        _ => CanaryArm.None,
    };
}
