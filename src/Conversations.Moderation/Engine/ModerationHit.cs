using Conversations.Moderation.Pii;

namespace Conversations.Moderation.Engine;

/// <summary>Where a hit came from.</summary>
public enum HitSource
{
    /// <summary>A lexicon word.</summary>
    Lexicon,

    /// <summary>A personal-data or secret detector.</summary>
    Pii,
}

/// <summary>One finding with its ORIGINAL text offsets [Start, End) and what the policy decided for it.</summary>
/// <param name="Start">Offset of the first original char of the hit.</param>
/// <param name="End">Offset just past the last original char of the hit.</param>
/// <param name="Source">Lexicon or PII detector.</param>
/// <param name="Label">Result label (e.g. "customized", "abuse", "pii_phone").</param>
/// <param name="Risk">Risk level of this hit.</param>
/// <param name="Action">What the policy does with it in this phase.</param>
/// <param name="PiiKind">The detector kind (only for <see cref="HitSource.Pii"/>).</param>
/// <param name="LibName">The lexicon name (only for <see cref="HitSource.Lexicon"/>).</param>
/// <param name="Keyword">The configured lexicon word (only for <see cref="HitSource.Lexicon"/>); never PII text.</param>
public sealed record ModerationHit(
    int Start, int End, HitSource Source, string Label, RiskLevel Risk, ModerationAction Action,
    PiiKind? PiiKind = null, string? LibName = null, string? Keyword = null)
{
    /// <summary>Returns the same hit moved by <paramref name="offset"/> chars (for streams).</summary>
    public ModerationHit Shift(int offset) => offset == 0 ? this : this with { Start = Start + offset, End = End + offset };
}

/// <summary>A lexicon library hit as Green reports it: the library name and the matched words, comma-separated.</summary>
public sealed record CustomizedHit(string LibName, string KeyWords);

/// <summary>One label's entry in <see cref="ModerationResult.Results"/>, shaped like Green's TextModerationPlus <c>Result[]</c>.</summary>
/// <param name="Label">The label ("customized", "abuse", "pii_phone", …).</param>
/// <param name="Confidence">0–100.</param>
/// <param name="RiskWords">Matched lexicon words, comma-separated (never personal data); empty for PII labels.</param>
/// <param name="CustomizedHit">Per-library hits for lexicon labels.</param>
/// <param name="RiskLevel">The highest risk among this label's hits.</param>
public sealed record ModerationLabelResult(
    string Label, double Confidence, string RiskWords, IReadOnlyList<CustomizedHit> CustomizedHit, RiskLevel RiskLevel);
