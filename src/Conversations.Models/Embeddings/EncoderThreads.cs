using System.Collections.Concurrent;

namespace Conversations.Models.Embeddings;

/// <summary>
/// Threads of their own for bulk embedding (uploads, re-embedding): one queue for every caller, so however many
/// tenants upload at once, at most <c>count</c> model calls run, and none of them holds a thread-pool thread. Run on
/// the pool, each upload's groups blocked pool threads for seconds, and every request of every tenant (a question's own
/// embedding, the grains, the HTTP server) waited for the pool to grow: 5 s stalls of another tenant's chat.
/// </summary>
internal sealed class EncoderThreads : IDisposable
{
    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done, CancellationToken Ct)> _queue = [];

    /// <summary>Starts <paramref name="count"/> background threads named after <paramref name="name"/>.</summary>
    public EncoderThreads(int count, string name)
    {
        for (var i = 0; i < count; i++)
            new Thread(Loop) { IsBackground = true, Name = $"{name}-{i + 1}" }.Start();
    }

    /// <summary>Runs <paramref name="work"/> on one of the threads, after the work queued before it.</summary>
    public Task RunAsync(Action work, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try { _queue.Add((work, done, ct), CancellationToken.None); }
        catch (InvalidOperationException) { throw new ObjectDisposedException(nameof(EncoderThreads)); }
        return done.Task;
    }

    private void Loop()
    {
        foreach (var (work, done, ct) in _queue.GetConsumingEnumerable())
        {
            if (ct.IsCancellationRequested)
            {
                done.TrySetCanceled(ct);
                continue;
            }
            try
            {
                work();
                done.TrySetResult();
            }
            catch (OperationCanceledException e) { done.TrySetCanceled(e.CancellationToken); }
            catch (Exception e) { done.TrySetException(e); }
        }
    }

    /// <summary>Lets the threads finish the queued work and end.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
