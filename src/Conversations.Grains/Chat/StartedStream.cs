namespace Conversations.Grains.Chat;

/// <summary>
/// A stream whose first item was asked for when it was made, so the work behind it (a model call) runs while the
/// caller finishes something else. Enumerate it once, or <see cref="AbandonAsync"/> it.
/// </summary>
internal sealed class StartedStream<T> : IAsyncEnumerable<T>
{
    private readonly IAsyncEnumerator<T> _enumerator;
    private readonly Task<bool> _first;

    /// <summary>Starts <paramref name="source"/> now.</summary>
    public StartedStream(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        _enumerator = source.GetAsyncEnumerator(cancellationToken);
        _first = _enumerator.MoveNextAsync().AsTask();
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await _first) yield break;
            yield return _enumerator.Current;
            while (await _enumerator.MoveNextAsync()) yield return _enumerator.Current;
        }
        finally
        {
            await _enumerator.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits for the pending step (cancel its token first) and disposes the stream unread; returns the first item when
    /// it had arrived (what the work produced, so it can still be accounted for).
    /// </summary>
    public async Task<(bool Arrived, T Item)> AbandonAsync()
    {
        var arrived = false;
        try { arrived = await _first; } catch (Exception) { /* the stream is being dropped; only what it produced matters */ }
        var item = arrived ? _enumerator.Current : default!;
        await _enumerator.DisposeAsync();
        return (arrived, item);
    }
}
