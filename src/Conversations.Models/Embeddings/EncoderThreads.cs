namespace Conversations.Models.Embeddings;

/// <summary>
/// Threads of their own for bulk embedding (uploads, re-embedding): however many tenants upload at once, at most
/// <c>count</c> model calls run, and none of them holds a thread-pool thread. Run on the pool, each upload's groups
/// blocked pool threads for seconds, and every request of every tenant (a question's own embedding, the grains, the
/// HTTP server) waited for the pool to grow: 5 s stalls of another tenant's chat.
/// <para>
/// Work waits in lanes (one per tenant), served in turn: a tenant running twenty uploads at once gets the threads as
/// often as one running a single small upload, instead of twenty times as often (one queue for all made the small
/// upload wait behind every batch queued before it).
/// </para>
/// </summary>
internal sealed class EncoderThreads : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Queue<Item>> _lanes = [];
    // Lanes with work, in the order they are served next.
    private readonly Queue<string> _turns = new();
    private bool _closed;

    private readonly record struct Item(Action Work, TaskCompletionSource Done, CancellationToken Ct);

    /// <summary>Starts <paramref name="count"/> background threads named after <paramref name="name"/>.</summary>
    public EncoderThreads(int count, string name)
    {
        for (var i = 0; i < count; i++)
            new Thread(Loop) { IsBackground = true, Name = $"{name}-{i + 1}" }.Start();
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads, after the work queued before it in <paramref name="lane"/>
    /// and after at most one piece of each other lane's that waits.
    /// </summary>
    public Task RunAsync(Action work, string lane, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed) throw new ObjectDisposedException(nameof(EncoderThreads));
            if (!_lanes.TryGetValue(lane, out var queue))
            {
                _lanes[lane] = queue = new Queue<Item>();
                _turns.Enqueue(lane);
            }
            queue.Enqueue(new Item(work, done, ct));
            Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    private void Loop()
    {
        while (Next() is { } item)
        {
            if (item.Ct.IsCancellationRequested)
            {
                item.Done.TrySetCanceled(item.Ct);
                continue;
            }
            try
            {
                item.Work();
                item.Done.TrySetResult();
            }
            catch (OperationCanceledException e) { item.Done.TrySetCanceled(e.CancellationToken); }
            catch (Exception e) { item.Done.TrySetException(e); }
        }
    }

    // The first piece of the lane whose turn it is (the lane goes to the back of the line while it has more); null
    // once closed and drained.
    private Item? Next()
    {
        lock (_gate)
        {
            while (_turns.Count == 0)
            {
                if (_closed) return null;
                Monitor.Wait(_gate);
            }
            var lane = _turns.Dequeue();
            var queue = _lanes[lane];
            var item = queue.Dequeue();
            if (queue.Count > 0) _turns.Enqueue(lane);
            else _lanes.Remove(lane);
            return item;
        }
    }

    /// <summary>Lets the threads finish the queued work and end.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }
}
