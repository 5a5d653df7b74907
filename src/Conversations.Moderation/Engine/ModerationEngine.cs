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
    private static Scratch? s_scratch;

    /// <summary>The default policy, used when a scan does not pass its own.</summary>
    public ModerationPolicy Policy { get; } = policy ?? ModerationPolicy.Default;

    private PiiScanner Pii { get; } = piiScanner ?? PiiScanner.Default;

    /// <summary>Scans <paramref name="text"/> for lexicon words and personal data; hits carry original offsets.</summary>
    public ModerationResult Scan(string text, CompiledLexiconSet lexicons, ModerationPhase phase, ModerationPolicy? policy = null) =>
        Scan(text.AsSpan(), lexicons, phase, out _, policy);

    /// <summary>Scans a span; <paramref name="openPrefixStart"/> is where a lexicon word that could still complete with
    /// more text begins (the span length when none) — a stream must not release text from there on.</summary>
    /// <param name="text">The text, or a stream's unreleased part.</param>
    /// <param name="lexicons">The compiled lexicons.</param>
    /// <param name="phase">Input or output.</param>
    /// <param name="openPrefixStart">Where text that may still become a lexicon finding begins.</param>
    /// <param name="policy">The policy; null uses the engine's.</param>
    /// <param name="context">For a stream: the last visible char already released and whether more text may follow.</param>
    public ModerationResult Scan(
        ReadOnlySpan<char> text, CompiledLexiconSet lexicons, ModerationPhase phase, out int openPrefixStart, ModerationPolicy? policy = null,
        ScanContext context = default)
    {
        var phasePolicy = (policy ?? Policy).For(phase);
        var publicContacts = (policy ?? Policy).PublicContacts;
        var scratch = s_scratch ??= new Scratch();
        scratch.Matches.Clear();
        scratch.PiiSpans.Clear();
        List<ModerationHit>? hits = null;

        // Lexicons on the matching form.
        ModerationNormalizer.NormalizeForMatching(text, scratch.Matching);
        var sink = new ListMatchSink(scratch.Matches);
        var state = lexicons.Automaton.Scan(scratch.Matching.Chars, ref sink);
        openPrefixStart = lexicons.OpenPrefixStart(state, phase, text, scratch.Matching, context.Before);
        foreach (var match in scratch.Matches)
        {
            if (!lexicons.AppliesTo(match.PatternId, phase))
                continue;
            var verdict = lexicons.Check(match.PatternId, text, scratch.Matching, match.Start, match.End, context.Before, context.MoreFollows);
            if (verdict == MatchVerdict.Reject)
                continue;
            var (start, end) = scratch.Matching.ToOriginal(match.Start, match.End);
            if (verdict == MatchVerdict.Undecided)
            {
                // Whether the word ends here is known only with the next char: hold it, report nothing yet.
                openPrefixStart = Math.Min(openPrefixStart, start);
                continue;
            }
            var lexicon = lexicons.LexiconOf(match.PatternId);
            var action = lexicon.Action == LexiconAction.Block ? ModerationAction.Block : ModerationAction.Mask;
            (hits ??= []).Add(new ModerationHit(start, end, HitSource.Lexicon, lexicon.Label, lexicon.Risk, action,
                LibName: lexicon.Name, Keyword: lexicons.WordOf(match.PatternId)));
        }

        // Personal data and secrets on the light form.
        ModerationNormalizer.NormalizeLight(text, scratch.Light);
        Pii.Scan(scratch.Light.Chars, scratch.PiiSpans);
        foreach (var span in scratch.PiiSpans)
        {
            var (start, end) = scratch.Light.ToOriginal(span.Start, span.End);
            if (publicContacts is not null && publicContacts.Covers(span.Kind, text[start..end])) continue;
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
