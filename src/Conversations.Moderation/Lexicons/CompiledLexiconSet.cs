using Conversations.Moderation.Matching;
using Conversations.Moderation.Normalization;

namespace Conversations.Moderation.Lexicons;

/// <summary>Platform + tenant lexicons compiled into one automaton; immutable, so one instance serves all threads.</summary>
/// <remarks>
/// Build it once per (tenant, lexicon version) and cache it; scans take no lock and touch no actor, so a big
/// tenant's traffic is never serialized. Building 100k words takes about a second — do it off the request path.
/// </remarks>
public sealed class CompiledLexiconSet
{
    // Per pattern and, OR-ed over the patterns below it, per state: which phases it applies to (PhaseBit), and for which
    // of them it may start inside a word (LooseBit: substring and unspaced-script terms).
    private const byte InputBit = 1, OutputBit = 2, InputLooseBit = 4, OutputLooseBit = 8;

    private readonly PatternInfo[] _patterns;
    private readonly byte[] _stateFlags;

    private CompiledLexiconSet(string version, IReadOnlyList<Lexicon> lexicons, AhoCorasickAutomaton automaton, PatternInfo[] patterns, IReadOnlyList<string> skipped)
    {
        Version = version;
        Lexicons = lexicons;
        Automaton = automaton;
        _patterns = patterns;
        SkippedWords = skipped;
        _stateFlags = automaton.SubtreeFlags(patterns.Select(p => p.Flags).ToArray());
    }

    /// <summary>The built-in platform lexicons only.</summary>
    public static CompiledLexiconSet Platform { get; } = Compile(DefaultLexicons.All, "platform");

    /// <summary>No lexicons at all (PII detection still runs).</summary>
    public static CompiledLexiconSet Empty { get; } = Compile([], "empty");

    /// <summary>Caller-chosen version tag (e.g. the tenant's lexicon revision) for cache keys.</summary>
    public string Version { get; }

    /// <summary>The lexicons compiled in, platform first.</summary>
    public IReadOnlyList<Lexicon> Lexicons { get; }

    /// <summary>The automaton over the normalized words of every lexicon, whatever its scope.</summary>
    public AhoCorasickAutomaton Automaton { get; }

    /// <summary>Number of (lexicon, word) patterns compiled.</summary>
    public int PatternCount => _patterns.Length;

    /// <summary>Words dropped because nothing was left after normalization (e.g. only punctuation).</summary>
    public IReadOnlyList<string> SkippedWords { get; }

    /// <summary>Compiles the built-in lexicons plus <paramref name="tenantLexicons"/>.</summary>
    public static CompiledLexiconSet CompileWithPlatform(IEnumerable<Lexicon> tenantLexicons, string version) =>
        Compile([.. DefaultLexicons.All, .. tenantLexicons], version);

    /// <summary>Compiles exactly <paramref name="lexicons"/> into one automaton.</summary>
    public static CompiledLexiconSet Compile(IEnumerable<Lexicon> lexicons, string version)
    {
        var list = lexicons.ToArray();
        var normalized = new List<string>();
        var patterns = new List<PatternInfo>();
        var skipped = new List<string>();
        for (var l = 0; l < list.Length; l++)
        {
            Add(l, list[l].Words, substring: false);
            Add(l, list[l].SubstringWords ?? [], substring: true);
        }
        return new CompiledLexiconSet(version, list, AhoCorasickAutomaton.Build(normalized), [.. patterns], skipped);

        void Add(int lexicon, IReadOnlyList<string> words, bool substring)
        {
            foreach (var word in words)
            {
                var pattern = ModerationNormalizer.NormalizePattern(word);
                if (pattern.Length == 0)
                {
                    skipped.Add(word);
                    continue;
                }
                normalized.Add(pattern);
                var mode = TermRules.ModeOf(pattern, substring);
                patterns.Add(new PatternInfo(lexicon, word, mode, TermRules.BreaksOf(word), FlagsOf(list[lexicon].Scope, mode)));
            }
        }
    }

    /// <summary>Whether the word behind a pattern id is checked in <paramref name="phase"/> (its lexicon's scope).</summary>
    public bool AppliesTo(int patternId, ModerationPhase phase) => (_patterns[patternId].Flags & PhaseBit(phase)) != 0;

    /// <summary>
    /// Where text that may still grow into a finding of <paramref name="phase"/> begins, given the automaton's
    /// <paramref name="state"/> after scanning the matching form <paramref name="normalized"/> of <paramref name="text"/>:
    /// the start of the longest suffix that begins a word of that phase, or the text's length when none does. A suffix
    /// whose words all match whole words only counts where a word can start (rule 2 of <see cref="TermRules"/> reads only
    /// the text before it, so more text cannot change that): the "i" ending "Hi" cannot begin "ignore …".
    /// </summary>
    internal int OpenPrefixStart(int state, ModerationPhase phase, ReadOnlySpan<char> text, NormalizedText normalized, char before)
    {
        var phaseBit = PhaseBit(phase);
        var looseBit = phase == ModerationPhase.Input ? InputLooseBit : OutputLooseBit;
        for (; state != 0; state = Automaton.Fail(state))
        {
            var flags = _stateFlags[state];
            if ((flags & phaseBit) == 0)
                continue;
            var start = normalized.Length - Automaton.Depth(state);
            if ((flags & looseBit) != 0 || TermRules.StartsWord(text, normalized, start, before))
                return normalized.SourceOf(start);
        }
        return text.Length;
    }

    private static byte PhaseBit(ModerationPhase phase) => phase == ModerationPhase.Input ? InputBit : OutputBit;

    private static byte FlagsOf(LexiconScope scope, TermMode mode)
    {
        var loose = mode != TermMode.WholeWord;
        byte flags = 0;
        if (scope != LexiconScope.Output)
            flags |= (byte)(InputBit | (loose ? InputLooseBit : 0));
        if (scope != LexiconScope.Input)
            flags |= (byte)(OutputBit | (loose ? OutputLooseBit : 0));
        return flags;
    }

    /// <summary>The lexicon a pattern id belongs to.</summary>
    public Lexicon LexiconOf(int patternId) => Lexicons[_patterns[patternId].LexiconIndex];

    /// <summary>The configured (un-normalized) word behind a pattern id.</summary>
    public string WordOf(int patternId) => _patterns[patternId].Word;

    /// <summary>How the word behind a pattern id may match.</summary>
    public TermMode ModeOf(int patternId) => _patterns[patternId].Mode;

    /// <summary>Decides an automaton match of <paramref name="patternId"/> by <see cref="TermRules"/>.</summary>
    public MatchVerdict Check(int patternId, ReadOnlySpan<char> text, NormalizedText normalized, int start, int end, char before, bool moreFollows)
    {
        var info = _patterns[patternId];
        return TermRules.Check(info.Mode, info.Breaks, text, normalized, start, end, before, moreFollows);
    }

    private readonly record struct PatternInfo(int LexiconIndex, string Word, TermMode Mode, bool[]? Breaks, byte Flags);
}
