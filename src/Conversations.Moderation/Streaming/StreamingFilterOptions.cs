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

    /// <summary>How much of an unfinished sentence may be released; <see cref="OutputRelease.SafePrefix"/> by default.</summary>
    public OutputRelease Release { get; init; } = OutputRelease.SafePrefix;

    /// <summary>The moderation policy; null uses the engine's.</summary>
    public Engine.ModerationPolicy? Policy { get; init; }
}

/// <summary>What the streaming output filter may release before a sentence ends.</summary>
public enum OutputRelease
{
    /// <summary>
    /// Everything that can no longer become part of a finding: text before any lexicon word that could still complete,
    /// before the trailing run of characters that could still grow into personal data (digits, letters, '@', '.', '-', digit
    /// groups split by spaces), and before a secret keyword ("password:", "token=") in the unfinished sentence.
    /// The user sees text as the model writes it, word by word.
    /// </summary>
    SafePrefix,

    /// <summary>Whole sentences only: the current sentence is held until it ends (or until MaxHoldChars wait).</summary>
    Sentence,
}
