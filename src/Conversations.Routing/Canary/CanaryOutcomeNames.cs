namespace Conversations.Routing.Canary;

/// <summary>The names a canary verdict has on the wire (canary views, the promotion gate): "continue", "rollback", "ready-to-promote".</summary>
public static class CanaryOutcomeNames
{
    /// <summary>The wire name of <see cref="CanaryOutcome.Continue"/>.</summary>
    public const string Continue = "continue";

    /// <summary>The wire name of <see cref="CanaryOutcome.Rollback"/>.</summary>
    public const string Rollback = "rollback";

    /// <summary>The wire name of <see cref="CanaryOutcome.ReadyToPromote"/>.</summary>
    public const string ReadyToPromote = "ready-to-promote";

    /// <summary>The wire name of <paramref name="outcome"/>.</summary>
    public static string Of(CanaryOutcome outcome) => outcome switch
    {
        CanaryOutcome.Rollback => Rollback,
        CanaryOutcome.ReadyToPromote => ReadyToPromote,
        _ => Continue,
    };

    /// <summary>The outcome a wire name stands for; an unknown name is <see cref="CanaryOutcome.Continue"/>.</summary>
    public static CanaryOutcome Parse(string? name) => name switch
    {
        Rollback => CanaryOutcome.Rollback,
        ReadyToPromote => CanaryOutcome.ReadyToPromote,
        _ => CanaryOutcome.Continue,
    };
}
