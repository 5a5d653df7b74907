using Conversations.Moderation.Messages;

namespace Conversations.Moderation.Engine;

/// <summary>The outcome of one scan, shaped like Green's TextModerationPlus data plus spans and the decided action.</summary>
public sealed class ModerationResult
{
    private static readonly IReadOnlyList<ModerationHit> NoHits = [];
    private IReadOnlyList<ModerationLabelResult>? _results;

    /// <summary>Builds a result from hits (original offsets) found in <paramref name="phase"/>.</summary>
    public ModerationResult(ModerationPhase phase, IReadOnlyList<ModerationHit> hits)
    {
        Phase = phase;
        Hits = hits;
        foreach (var hit in hits)
        {
            RiskLevel = RiskLevels.Max(RiskLevel, hit.Risk);
            if (hit.Action > Action)
                Action = hit.Action;
        }
    }

    /// <summary>A result with no findings.</summary>
    public static ModerationResult Clean(ModerationPhase phase) => new(phase, NoHits);

    /// <summary>The phase that was checked.</summary>
    public ModerationPhase Phase { get; }

    /// <summary>The highest risk among all hits.</summary>
    public RiskLevel RiskLevel { get; }

    /// <summary><see cref="RiskLevel"/> as Green writes it: "none", "low", "medium" or "high".</summary>
    public string RiskLevelName => RiskLevel.ToGreenString();

    /// <summary>The strongest action among all hits.</summary>
    public ModerationAction Action { get; }

    /// <summary>True when the content must be refused / withheld.</summary>
    public bool IsBlocked => Action == ModerationAction.Block;

    /// <summary>Per-label summary, Green's <c>Result[]</c>.</summary>
    /// <remarks>Built on first use: a streaming filter scans many times and never reads it.</remarks>
    public IReadOnlyList<ModerationLabelResult> Results => _results ??= BuildResults(Hits);

    /// <summary>Every hit, with original offsets, sorted by start.</summary>
    public IReadOnlyList<ModerationHit> Hits { get; }

    /// <summary>The refusal class of the most severe blocking hit, or null when nothing blocks.</summary>
    public RefusalClass? RefusalClass =>
        Hits.Where(h => h.Action == ModerationAction.Block).OrderByDescending(h => h.Risk).Select(h => (RefusalClass?)RefusalClassifier.ForLabel(h.Label)).FirstOrDefault();

    /// <summary>The text as it may be shown or forwarded: spans whose action is Mask or Block are masked.</summary>
    public string Mask(string text) => TextMasker.Mask(text, Hits, h => h.Action != ModerationAction.Allow);

    /// <summary>The text as it may be stored or logged: every hit is masked, whatever the action.</summary>
    public string MaskForStorage(string text) => TextMasker.Mask(text, Hits, static _ => true);

    private static IReadOnlyList<ModerationLabelResult> BuildResults(IReadOnlyList<ModerationHit> hits)
    {
        if (hits.Count == 0)
            return [];
        var results = new List<ModerationLabelResult>();
        foreach (var group in hits.GroupBy(h => h.Label, StringComparer.Ordinal))
        {
            var words = group.Where(h => h.Keyword is not null).Select(h => h.Keyword!).Distinct(StringComparer.Ordinal);
            var libraries = group.Where(h => h.LibName is not null)
                .GroupBy(h => h.LibName!, StringComparer.Ordinal)
                .Select(g => new CustomizedHit(g.Key, string.Join(',', g.Select(h => h.Keyword).Distinct(StringComparer.Ordinal))))
                .ToArray();
            var confidence = group.Max(h => h.PiiKind is { } kind ? Pii.PiiKinds.Confidence(kind) : 100.0);
            results.Add(new ModerationLabelResult(group.Key, confidence, string.Join(',', words), libraries, group.Max(h => h.Risk)));
        }
        return results;
    }
}
