using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Matching;
using Conversations.Moderation.Normalization;
using Conversations.Moderation.Pii;

namespace Conversations.Moderation.Engine;

/// <summary>The built-in moderation engine: normalization, lexicon automaton and PII detectors in one scan.</summary>
/// <remarks>Stateless apart from per-thread scratch buffers: one instance serves every tenant on every thread.</remarks>
public sealed class ModerationEngine(ModerationPolicy? policy = null, PiiScanner? piiScanner = null)
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>The default policy, used when a scan does not pass its own.</summary>
    public ModerationPolicy Policy { get; } = policy ?? ModerationPolicy.Default;

    private PiiScanner Pii { get; } = piiScanner ?? PiiScanner.Default;

    /// <summary>Scans <paramref name="text"/> for lexicon words and personal data; hits carry original offsets.</summary>
    public ModerationResult Scan(string text, CompiledLexiconSet lexicons, ModerationPhase phase, ModerationPolicy? policy = null) =>
        Scan(text.AsSpan(), lexicons, phase, out _, policy);

    /// <summary>Scans a span; <paramref name="openPrefixStart"/> is where a lexicon word that could still complete with
    /// more text begins (the span length when none) — a stream must not release text from there on.</summary>
    public ModerationResult Scan(ReadOnlySpan<char> text, CompiledLexiconSet lexicons, ModerationPhase phase, out int openPrefixStart, ModerationPolicy? policy = null)
    {
        var phasePolicy = (policy ?? Policy).For(phase);
        var scratch = t_scratch ??= new Scratch();
        scratch.Matches.Clear();
        scratch.PiiSpans.Clear();
        List<ModerationHit>? hits = null;

        // Lexicons on the matching form.
        TextNormalizer.NormalizeForMatching(text, scratch.Matching);
        var sink = new ListMatchSink(scratch.Matches);
        var state = lexicons.Automaton.Scan(scratch.Matching.Chars, ref sink);
        var depth = lexicons.Automaton.Depth(state);
        openPrefixStart = depth == 0 ? text.Length : scratch.Matching.SourceAtOrAfter(scratch.Matching.Length - depth);
        foreach (var match in scratch.Matches)
        {
            var lexicon = lexicons.LexiconOf(match.PatternId);
            var (start, end) = scratch.Matching.ToOriginal(match.Start, match.End);
            var action = lexicon.Action == LexiconAction.Block ? ModerationAction.Block : ModerationAction.Mask;
            (hits ??= []).Add(new ModerationHit(start, end, HitSource.Lexicon, lexicon.Label, lexicon.Risk, action,
                LibName: lexicon.Name, Keyword: lexicons.WordOf(match.PatternId)));
        }

        // Personal data and secrets on the light form.
        TextNormalizer.NormalizeLight(text, scratch.Light);
        Pii.Scan(scratch.Light.Chars, scratch.PiiSpans);
        foreach (var span in scratch.PiiSpans)
        {
            var (start, end) = scratch.Light.ToOriginal(span.Start, span.End);
            var action = span.Kind.IsSecret() ? phasePolicy.EffectiveSecrets : phasePolicy.PersonalData;
            (hits ??= []).Add(new ModerationHit(start, end, HitSource.Pii, span.Kind.Label(), span.Kind.Risk(), action, PiiKind: span.Kind));
        }

        if (hits is null)
            return ModerationResult.Clean(phase);
        hits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        return new ModerationResult(phase, hits);
    }

    /// <summary>Per-thread reusable buffers so a scan allocates only for what it finds.</summary>
    private sealed class Scratch
    {
        public readonly NormalizedText Matching = new(1024);
        public readonly NormalizedText Light = new(1024);
        public readonly List<AhoCorasickMatch> Matches = [];
        public readonly List<PiiSpan> PiiSpans = [];
    }
}
