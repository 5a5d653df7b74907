using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Conversations.Moderation.Matching;

/// <summary>
/// A one-hash bitset over (key, symbol) pairs: a clear bit proves "no such pair" with one cached read. The automaton keeps
/// two: one keyed by state (its edges), one keyed by the symbol before (which symbols follow which in the patterns).
/// </summary>
/// <remarks>
/// In moderation text almost every non-root lookup misses (most char pairs are not lexicon prefixes); answering
/// those from a bitset of about 16 bits per edge (a few percent false positives) avoids touching the edge arrays.
/// </remarks>
internal sealed class EdgeFilter
{
    private const int BitsPerEdge = 16;
    private const int MaxBits = 1 << 25;
    private readonly ulong[] _words;
    private readonly int _shift;

    private EdgeFilter(ulong[] words, int shift)
    {
        _words = words;
        _shift = shift;
    }

    /// <summary>Approximate bytes held.</summary>
    public long MemoryBytes => _words.Length * 8L;

    /// <summary>Sets the bit of every non-root edge.</summary>
    public static EdgeFilter Build(int[] edgeStart, ushort[] edgeSymbol)
    {
        var filter = Sized(edgeStart[^1] - edgeStart[1]);
        for (var s = 1; s < edgeStart.Length - 1; s++)
        {
            for (var k = edgeStart[s]; k < edgeStart[s + 1]; k++)
                filter.Add(s, edgeSymbol[k]);
        }
        return filter;
    }

    /// <summary>
    /// Sets the bit of every pair of symbols that follow each other in some pattern (the symbol into a state of depth
    /// one or more, then the symbol of one of its edges): a clear bit proves that after these two chars the automaton
    /// is at most one char deep.
    /// </summary>
    public static EdgeFilter BuildSymbolPairs(int[] edgeStart, ushort[] edgeSymbol, int[] edgeTarget)
    {
        var filter = Sized(edgeStart[^1] - edgeStart[1]);
        for (var k = 0; k < edgeStart[^1]; k++)
        {
            var target = edgeTarget[k];
            for (var j = edgeStart[target]; j < edgeStart[target + 1]; j++)
                filter.Add(edgeSymbol[k], edgeSymbol[j]);
        }
        return filter;
    }

    private static EdgeFilter Sized(int keys)
    {
        var bits = (int)Math.Min(MaxBits, BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, keys * BitsPerEdge)));
        return new EdgeFilter(new ulong[bits / 64], 64 - BitOperations.Log2((uint)bits));
    }

    private void Add(int key, int symbol)
    {
        var bit = Bit(key, symbol);
        _words[bit >> 6] |= 1UL << bit;
    }

    /// <summary>False when the pair (<paramref name="key"/>, <paramref name="symbol"/>) was certainly not added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(int key, int symbol)
    {
        var bit = Bit(key, symbol);
        return (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), bit >> 6) & (1UL << bit)) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bit(int key, int symbol) =>
        (int)(((((ulong)(uint)key << 16) | (uint)symbol) * 0x9E3779B97F4A7C15UL) >> _shift);
}
