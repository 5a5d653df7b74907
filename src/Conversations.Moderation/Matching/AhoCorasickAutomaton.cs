using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Conversations.Moderation.Matching;

/// <summary>Immutable Aho–Corasick automaton over UTF-16 chars, stored in flat arrays; safe to share across threads.</summary>
/// <remarks>
/// Reports ALL occurrences, overlapping ones included (the engine needs every hit to decide masking).
/// Layout: chars map to dense symbol ids through a 65,536-entry table; the root has a dense transition row
/// (it is the hottest state and has the most children); other states keep their children as a sorted run in
/// one CSR edge array (most have one or two), and states with many children (frequent first hanzi) are also
/// indexed in an open-addressing hash so their lookup is one probe instead of a search. A bitset filter over
/// all edges answers the common "no such edge" case before any edge array is touched. Wide states also get a
/// dense row over the first 64 symbol ids — the most frequent chars (ASCII letters in mixed text) — holding the complete
/// goto-or-fail transition, so the bushy upper levels of a Latin-script trie cost one array read per step, edge or not. Failure links and dictionary-suffix links complete the machine.
/// A bitset of the symbol pairs that follow each other in some pattern sends a rarer char (a hanzi) that pairs with no
/// previous char straight to the root's row, skipping the failure steps out of the one-char-deep state before it.
/// States are numbered breadth-first so shallow states, which are visited most, sit together in memory.
/// </remarks>
public sealed class AhoCorasickAutomaton
{
    private readonly ushort[] _symbolOf;
    private readonly int[] _rootNext;
    private readonly int[] _edgeStart;
    private readonly ushort[] _edgeSymbol;
    private readonly int[] _edgeTarget;
    private readonly int[] _fail;
    private readonly int[] _depth;
    private readonly int[] _firstOutput;
    private readonly int[] _dictLink;
    private readonly int[] _outStart;
    private readonly int[] _outPattern;
    private readonly EdgeHashTable _wideEdges;
    private readonly EdgeFilter _filter;
    private readonly EdgeFilter _pairs;
    private readonly int[] _denseIndex;
    private readonly int[] _denseRows;

    internal AhoCorasickAutomaton(
        ushort[] symbolOf, int[] rootNext, int[] edgeStart, ushort[] edgeSymbol, int[] edgeTarget, int[] fail,
        int[] depth, int[] firstOutput, int[] dictLink, int[] outStart, int[] outPattern, int patternCount, int alphabetSize,
        EdgeHashTable wideEdges, EdgeFilter filter, EdgeFilter pairs, int[] denseIndex, int[] denseRows)
    {
        _pairs = pairs;
        _denseIndex = denseIndex;
        _denseRows = denseRows;
        _wideEdges = wideEdges;
        _filter = filter;
        _symbolOf = symbolOf;
        _rootNext = rootNext;
        _edgeStart = edgeStart;
        _edgeSymbol = edgeSymbol;
        _edgeTarget = edgeTarget;
        _fail = fail;
        _depth = depth;
        _firstOutput = firstOutput;
        _dictLink = dictLink;
        _outStart = outStart;
        _outPattern = outPattern;
        PatternCount = patternCount;
        AlphabetSize = alphabetSize;
    }

    /// <summary>Builds an automaton; pattern ids are the indexes in <paramref name="patterns"/> (empty patterns never match).</summary>
    public static AhoCorasickAutomaton Build(IReadOnlyList<string> patterns) => AhoCorasickBuilder.Build(patterns);

    /// <summary>Number of patterns the automaton was built from.</summary>
    public int PatternCount { get; }

    /// <summary>Number of distinct chars across all patterns.</summary>
    public int AlphabetSize { get; }

    /// <summary>Number of states (trie nodes, root included).</summary>
    public int StateCount => _fail.Length;

    /// <summary>Approximate bytes held by the automaton's arrays.</summary>
    public long MemoryBytes =>
        _symbolOf.Length * 2L + _rootNext.Length * 4L + _edgeStart.Length * 4L + _edgeSymbol.Length * 2L + _edgeTarget.Length * 4L
        + (_fail.Length + _depth.Length + _firstOutput.Length + _dictLink.Length + _outStart.Length + _outPattern.Length) * 4L
        + _wideEdges.MemoryBytes + _filter.MemoryBytes + _pairs.MemoryBytes + (_denseIndex.Length + _denseRows.Length) * 4L;

    /// <summary>Length (in chars) of the text a state stands for: the longest suffix read so far that starts some pattern.</summary>
    public int Depth(int state) => _depth[state];

    /// <summary>The state of the longest proper suffix of <paramref name="state"/>'s text that is also a state (0 = the root).</summary>
    public int Fail(int state) => _fail[state];

    /// <summary>
    /// For every state, the OR of <paramref name="patternFlags"/> over the patterns its text is a prefix of (the patterns
    /// that may still be completed from it).
    /// </summary>
    public byte[] SubtreeFlags(ReadOnlySpan<byte> patternFlags)
    {
        var flags = new byte[StateCount];
        // States are numbered breadth-first, so every child has a higher number than its parent: one backward pass.
        for (var s = StateCount - 1; s >= 0; s--)
        {
            byte own = 0;
            for (var k = _outStart[s]; k < _outStart[s + 1]; k++)
                own |= patternFlags[_outPattern[k]];
            for (var e = _edgeStart[s]; e < _edgeStart[s + 1]; e++)
                own |= flags[_edgeTarget[e]];
            flags[s] = own;
        }
        return flags;
    }

    /// <summary>Scans <paramref name="text"/> from <paramref name="state"/> (0 = start) and reports every match to <paramref name="sink"/>.</summary>
    /// <returns>The state after the last char; pass it back in to continue a stream.</returns>
    public int Scan<TSink>(ReadOnlySpan<char> text, ref TSink sink, int state = 0)
        where TSink : struct, IMatchSink
    {
        ref var symbolOf = ref MemoryMarshal.GetArrayDataReference(_symbolOf);
        ref var firstOutput = ref MemoryMarshal.GetArrayDataReference(_firstOutput);
        ref var rootNext = ref MemoryMarshal.GetArrayDataReference(_rootNext);
        // The previous char's symbol; -1 until one is read here (a state passed in may stand for any char).
        var previous = -1;
        for (var i = 0; i < text.Length; i++)
        {
            int symbol = Unsafe.Add(ref symbolOf, text[i]);
            if (symbol == 0)
                state = 0;
            // Two chars that follow each other in no pattern leave the automaton at most one char deep, where the root's
            // row leads: one filter read instead of failure steps. Most first hanzi of a word are followed by a char that
            // does not continue it. Frequent symbols (Latin letters) nearly always pair up, so they take the rows.
            else if (symbol >= AhoCorasickBuilder.DenseWidth && previous >= 0 && !_pairs.MayContain(previous, symbol))
                state = Unsafe.Add(ref rootNext, symbol);
            else
                state = Next(state, symbol);
            previous = symbol;
            if (Unsafe.Add(ref firstOutput, state) != 0)
                Report(state, i + 1, ref sink);
        }
        return state;
    }

    /// <summary>Collects every match in <paramref name="text"/> into <paramref name="matches"/> (appends).</summary>
    public void FindAll(ReadOnlySpan<char> text, List<AhoCorasickMatch> matches)
    {
        var sink = new ListMatchSink(matches);
        Scan(text, ref sink);
    }

    /// <summary>Counts matches in <paramref name="text"/>.</summary>
    public long Count(ReadOnlySpan<char> text)
    {
        var sink = new CountingMatchSink();
        Scan(text, ref sink);
        return sink.Count;
    }

    /// <summary>The goto-or-fail transition from <paramref name="state"/> on a symbol that occurs in some pattern.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(int state, int symbol)
    {
        ref var edgeStart = ref MemoryMarshal.GetArrayDataReference(_edgeStart);
        ref var edgeSymbol = ref MemoryMarshal.GetArrayDataReference(_edgeSymbol);
        ref var edgeTarget = ref MemoryMarshal.GetArrayDataReference(_edgeTarget);
        ref var fail = ref MemoryMarshal.GetArrayDataReference(_fail);
        ref var denseIndex = ref MemoryMarshal.GetArrayDataReference(_denseIndex);
        while (state != 0)
        {
            var row = Unsafe.Add(ref denseIndex, state);
            if (row >= 0 && symbol < AhoCorasickBuilder.DenseWidth)
                return Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_denseRows), row + symbol);
            if (!_filter.MayContain(state, symbol))
            {
                state = Unsafe.Add(ref fail, state);
                continue;
            }
            var lo = Unsafe.Add(ref edgeStart, state);
            var hi = Unsafe.Add(ref edgeStart, state + 1);
            if (hi - lo <= EdgeHashTable.MaxLinearDegree)
            {
                for (; lo < hi; lo++)
                {
                    int s = Unsafe.Add(ref edgeSymbol, lo);
                    if (s == symbol)
                        return Unsafe.Add(ref edgeTarget, lo);
                    if (s > symbol)
                        break;
                }
            }
            else
            {
                var found = _wideEdges.Find(state, symbol);
                if (found >= 0)
                    return found;
            }
            state = Unsafe.Add(ref fail, state);
        }
        return _rootNext[symbol];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Report<TSink>(int state, int end, ref TSink sink)
        where TSink : struct, IMatchSink
    {
        for (var o = _firstOutput[state]; o != 0; o = _dictLink[o])
        {
            var start = end - _depth[o];
            for (var k = _outStart[o]; k < _outStart[o + 1]; k++)
                sink.OnMatch(_outPattern[k], start, end);
        }
    }
}
