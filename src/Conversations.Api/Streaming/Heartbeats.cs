using System.Runtime.CompilerServices;

namespace Conversations.Api.Streaming;

/// <summary>
/// Keeps a quiet stream alive: a model that takes long for its first token leaves the connection silent, and proxies,
/// load balancers and mobile networks drop connections idle for 30–60 s. After each <c>interval</c> without an item a
/// heartbeat item is passed on; the source is not read ahead or reordered.
/// </summary>
internal static class Heartbeats
{
    /// <summary><paramref name="source"/>'s items, with <paramref name="beat"/> after every <paramref name="interval"/> of silence.</summary>
    public static async IAsyncEnumerable<T> WithHeartbeats<T>(this IAsyncEnumerable<T> source, TimeSpan interval, Func<T> beat,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var e = source.GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        try
        {
            while (true)
            {
                var next = e.MoveNextAsync();
                if (!next.IsCompleted && interval > TimeSpan.Zero)
                {
                    pending = next.AsTask();
                    next = new ValueTask<bool>(pending);
                    using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    while (!pending.IsCompleted)
                    {
                        var timer = Task.Delay(interval, quiet.Token);
                        // Cancelled, the source ends on the same token: wait for it rather than beat.
                        if (await Task.WhenAny(pending, timer) != timer || cancellationToken.IsCancellationRequested) break;
                        yield return beat();
                    }
                    await quiet.CancelAsync();
                }
                var more = await next;
                pending = null;
                if (!more) yield break;
                yield return e.Current;
            }
        }
        finally
        {
            // An enumerator is not disposed while a move is in flight: a reader that left after a beat waits for it.
            if (pending is not null) await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await e.DisposeAsync();
        }
    }
}
