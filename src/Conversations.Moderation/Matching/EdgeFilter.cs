using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Conversations.Moderation.Matching;

/// <summary>A one-hash bitset over all (state, symbol) edges: a clear bit proves "no such edge" with one cached read.</summary>
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
        var edges = edgeStart[^1] - edgeStart[1];
        var bits = (int)Math.Min(MaxBits, BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, edges * BitsPerEdge)));
        var filter = new EdgeFilter(new ulong[bits / 64], 64 - BitOperations.Log2((uint)bits));
        for (var s = 1; s < edgeStart.Length - 1; s++)
        {
            for (var k = edgeStart[s]; k < edgeStart[s + 1]; k++)
            {
                var bit = filter.Bit(s, edgeSymbol[k]);
                filter._words[bit >> 6] |= 1UL << bit;
            }
        }
        return filter;
    }

    /// <summary>False when state has certainly no edge on symbol.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(int state, int symbol)
    {
        var bit = Bit(state, symbol);
        return (Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), bit >> 6) & (1UL << bit)) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Bit(int state, int symbol) =>
        (int)(((((ulong)(uint)state << 16) | (uint)symbol) * 0x9E3779B97F4A7C15UL) >> _shift);
}
