using System.Numerics;
using System.Runtime.CompilerServices;

namespace Conversations.Moderation.Matching;

/// <summary>Open-addressing (state, symbol) → target table for the edges of high-degree states.</summary>
/// <remarks>Load factor at most one half with linear probing, so a lookup is one or two probes in practice.</remarks>
internal sealed class EdgeHashTable
{
    /// <summary>States with at most this many children are searched linearly in the CSR run instead.</summary>
    public const int MaxLinearDegree = 6;

    private const ulong Empty = ulong.MaxValue;
    private readonly ulong[] _keys;
    private readonly int[] _targets;
    private readonly int _shift;

    private EdgeHashTable(ulong[] keys, int[] targets, int shift)
    {
        _keys = keys;
        _targets = targets;
        _shift = shift;
    }

    /// <summary>Approximate bytes held.</summary>
    public long MemoryBytes => _keys.Length * 12L;

    /// <summary>Indexes the edges of every state with more than <see cref="MaxLinearDegree"/> children.</summary>
    public static EdgeHashTable Build(int[] edgeStart, ushort[] edgeSymbol, int[] edgeTarget)
    {
        var wide = 0;
        for (var s = 1; s < edgeStart.Length - 1; s++)
        {
            var degree = edgeStart[s + 1] - edgeStart[s];
            if (degree > MaxLinearDegree)
                wide += degree;
        }
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, wide * 2));
        var keys = new ulong[size];
        Array.Fill(keys, Empty);
        var table = new EdgeHashTable(keys, new int[size], 64 - BitOperations.Log2((uint)size));
        for (var s = 1; s < edgeStart.Length - 1; s++)
        {
            if (edgeStart[s + 1] - edgeStart[s] <= MaxLinearDegree)
                continue;
            for (var k = edgeStart[s]; k < edgeStart[s + 1]; k++)
                table.Insert(Key(s, edgeSymbol[k]), edgeTarget[k]);
        }
        return table;
    }

    /// <summary>The target of edge (state, symbol), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(int state, int symbol)
    {
        var key = Key(state, symbol);
        var mask = _keys.Length - 1;
        for (var i = Slot(key); ; i = (i + 1) & mask)
        {
            var k = _keys[i];
            if (k == key)
                return _targets[i];
            if (k == Empty)
                return -1;
        }
    }

    private void Insert(ulong key, int target)
    {
        var mask = _keys.Length - 1;
        var i = Slot(key);
        while (_keys[i] != Empty)
            i = (i + 1) & mask;
        _keys[i] = key;
        _targets[i] = target;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(int state, int symbol) => ((ulong)(uint)state << 16) | (uint)symbol;

    /// <summary>Fibonacci hashing: multiply by 2^64/φ and keep the top bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
