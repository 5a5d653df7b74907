namespace Conversations.Grains.Knowledge;

/// <summary>
/// The chunks one tenant's running uploads were allowed but have not stored yet, held by the tenant's knowledge grain
/// (one activation), so uploads at the same moment cannot pass the chunk limit together: each is checked against
/// what is stored plus what the others reserved.
/// </summary>
internal sealed class ChunkReservations
{
    private readonly Lock _lock = new();
    private long _reserved;
    private long _generation;

    /// <summary>Changes whenever reserved chunks become stored ones: a count of stored chunks taken before it changed is stale.</summary>
    public long Generation
    {
        get { lock (_lock) return _generation; }
    }

    /// <summary>The outcome of one attempt; <see cref="Stale"/> asks for a fresh count.</summary>
    public enum Outcome { Reserved, Refused, Stale }

    /// <summary>Reserves <paramref name="chunks"/> when stored (<paramref name="held"/>, counted at <paramref name="generation"/>) plus reserved plus them stays within the limit.</summary>
    public Outcome TryReserve(long generation, long held, long chunks, long limit)
    {
        lock (_lock)
        {
            if (generation != _generation) return Outcome.Stale;
            if (held + _reserved + chunks > limit) return Outcome.Refused;
            _reserved += chunks;
            return Outcome.Reserved;
        }
    }

    /// <summary>A document's reserved chunks were committed (called after its transaction).</summary>
    public void Stored(long chunks)
    {
        lock (_lock)
        {
            _reserved -= chunks;
            _generation++;
        }
    }

    /// <summary>An upload ended with chunks it never stored (failed, cancelled).</summary>
    public void Release(long chunks)
    {
        lock (_lock) _reserved -= chunks;
    }
}
