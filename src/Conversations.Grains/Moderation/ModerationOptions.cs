using Conversations.Moderation.Streaming;

namespace Conversations.Grains.Moderation;

/// <summary>Configuration section <c>Moderation</c> (Green's settings are in <c>Moderation:Green</c>).</summary>
internal sealed class ModerationOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Moderation";

    /// <summary>Default for <see cref="LexiconVersionCacheTime"/>.</summary>
    public static readonly TimeSpan DefaultLexiconVersionCacheTime = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="EventWriteWait"/>.</summary>
    public static readonly TimeSpan DefaultEventWriteWait = TimeSpan.FromSeconds(5);

    /// <summary>Default for <see cref="EventBatchSize"/>.</summary>
    public const int DefaultEventBatchSize = 256;

    /// <summary>How long a silo trusts a tenant's lexicon version (and moderation settings) before asking again; edits
    /// apply at once on the silo of the tenant's lexicon grain and within this time elsewhere.</summary>
    public TimeSpan LexiconVersionCacheTime { get; set; } = DefaultLexiconVersionCacheTime;

    /// <summary>How long a turn waits for its moderation event to be written before going on (the event stays queued).</summary>
    public TimeSpan EventWriteWait { get; set; } = DefaultEventWriteWait;

    /// <summary>Most events written in one database round trip.</summary>
    public int EventBatchSize { get; set; } = DefaultEventBatchSize;

    /// <summary>
    /// What the output guard may release before a sentence ends: <c>SafePrefix</c> (default: everything that can no longer
    /// become part of a finding, so text flows word by word) or <c>Sentence</c> (whole sentences only).
    /// </summary>
    public OutputRelease OutputRelease { get; set; } = OutputRelease.SafePrefix;

    /// <summary>Answer text held back while no sentence ends, before part of it is released anyway (see
    /// <see cref="StreamingFilterOptions.MaxHoldChars"/>); lower trades safety margin for earlier first text.</summary>
    public int OutputMaxHoldChars { get; set; } = StreamingFilterOptions.DefaultMaxHoldChars;

    /// <summary>With Green configured, an answer is checked (<c>llm_response_moderation</c>) in windows that close at the
    /// first sentence end after this many released chars; fewer calls against a later verdict.</summary>
    public int GreenWindowMinChars { get; set; } = OutputWindowOptions.DefaultMinChars;

    /// <summary>A window closes at this many chars even without a sentence end.</summary>
    public int GreenWindowMaxChars { get; set; } = OutputWindowOptions.DefaultMaxChars;

    /// <summary>Chars of the previous window sent again with the next, so a phrase across two windows is seen whole.</summary>
    public int GreenWindowOverlapChars { get; set; } = OutputWindowOptions.DefaultOverlapChars;

    /// <summary>Chars kept back on such a forced release so a half-written number or e-mail address is not split.</summary>
    public int OutputForcedTailChars { get; set; } = StreamingFilterOptions.DefaultForcedTailChars;
}
