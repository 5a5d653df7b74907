namespace Conversations.Moderation.Streaming;

/// <summary>Settings for <see cref="StreamingOutputFilter"/>.</summary>
public sealed record StreamingFilterOptions
{
    /// <summary>Default for <see cref="MaxHoldChars"/>.</summary>
    public const int DefaultMaxHoldChars = 160;

    /// <summary>Default for <see cref="ForcedTailChars"/>.</summary>
    public const int DefaultForcedTailChars = 64;

    /// <summary>Once this many chars wait without a sentence end, text is released anyway (minus the tail).</summary>
    public int MaxHoldChars { get; init; } = DefaultMaxHoldChars;

    /// <summary>On a forced release, this many trailing chars stay held so a half-written number or e-mail is not split.</summary>
    public int ForcedTailChars { get; init; } = DefaultForcedTailChars;

    /// <summary>Emitted once, in place of the rest of the answer, when a blocking rule fires.</summary>
    public string WithheldNotice { get; init; } = "\n[The rest of this answer was withheld because it may contain content that can't be shared here.]";

    /// <summary>The moderation policy; null uses the engine's.</summary>
    public Engine.ModerationPolicy? Policy { get; init; }
}
