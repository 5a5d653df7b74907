using Conversations.Moderation.Engine;
using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Messages;

namespace Conversations.Moderation.Moderators;

/// <summary>What a chat turn calls to check the question before retrieval and the answer before the user sees it.</summary>
public interface IContentModerator
{
    /// <summary>Checks a user's question (and its image URLs).</summary>
    Task<ModerationVerdict> CheckInputAsync(ModerationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Checks a (complete or partial) answer; streamed answers use <see cref="Streaming.StreamingOutputFilter"/> for the built-in part.</summary>
    Task<ModerationVerdict> CheckOutputAsync(ModerationRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to do when Green cannot be reached.</summary>
public enum GreenFailureMode
{
    /// <summary>Let the built-in engine decide alone (the default).</summary>
    FailOpen,

    /// <summary>Refuse the turn with a "service unavailable" message.</summary>
    FailClosed,
}

/// <summary>One check: the text, the tenant's compiled lexicons and the tenant's moderation settings.</summary>
/// <param name="Text">The question or answer.</param>
/// <param name="Lexicons">The tenant's compiled lexicon set (cached per lexicon version by the caller).</param>
public sealed record ModerationRequest(string Text, CompiledLexiconSet Lexicons)
{
    /// <summary>Seed for the refusal message variant (e.g. the turn id).</summary>
    public string Seed { get; init; } = "";

    /// <summary>The user's question, for the refusal language when checking an answer (defaults to <see cref="Text"/>).</summary>
    public string? Question { get; init; }

    /// <summary>Image URLs attached to the question (checked by Green when configured).</summary>
    public IReadOnlyList<string> ImageUrls { get; init; } = [];

    /// <summary>Tenant policy; null uses the engine default.</summary>
    public ModerationPolicy? Policy { get; init; }

    /// <summary>Tenant choice when Green is unreachable.</summary>
    public GreenFailureMode GreenFailureMode { get; init; } = GreenFailureMode.FailOpen;
}

/// <summary>The decision for one check, with Green-shaped results, safe and storable text and, if refused, the message.</summary>
/// <param name="Action">Allow, mask or block.</param>
/// <param name="RiskLevel">Highest risk from all checkers.</param>
/// <param name="Results">Per-label results (built-in and Green).</param>
/// <param name="Hits">Built-in hits with original offsets.</param>
/// <param name="SafeText">The text to forward or show (masked per action; empty when blocked).</param>
/// <param name="StorageText">The text to store and log: every finding masked.</param>
/// <param name="Refusal">The friendly message when blocked.</param>
/// <param name="Checkers">Which checkers contributed: "builtin", "green".</param>
/// <param name="GreenUnavailable">True when Green was wanted but could not answer.</param>
public sealed record ModerationVerdict(
    ModerationAction Action,
    RiskLevel RiskLevel,
    IReadOnlyList<ModerationLabelResult> Results,
    IReadOnlyList<ModerationHit> Hits,
    string SafeText,
    string StorageText,
    RefusalMessage? Refusal,
    IReadOnlyList<string> Checkers,
    bool GreenUnavailable = false)
{
    /// <summary>Prefix of the labels for what Green found in an image (<c>green:image:violent_explosion_3001</c>).</summary>
    public const string GreenImageLabelPrefix = "green:image:";

    /// <summary>True when the content is refused / withheld.</summary>
    public bool IsBlocked => Action == ModerationAction.Block;

    /// <summary><see cref="RiskLevel"/> as Green writes it.</summary>
    public string RiskLevelName => RiskLevel.ToGreenString();
}
