namespace Conversations.TestModel.Recording;

/// <summary>The most recent chat requests, oldest dropped first past the capacity.</summary>
internal sealed class RequestLog(int capacity)
{
    private readonly Queue<RecordedRequest> entries = new();
    private readonly Lock gate = new();
    private long sequence;

    /// <summary>The next arrival number.</summary>
    public long NextSequence() => Interlocked.Increment(ref sequence);

    /// <summary>Adds a request, dropping the oldest past the capacity.</summary>
    public void Add(RecordedRequest request)
    {
        if (capacity <= 0)
        {
            return;
        }

        lock (gate)
        {
            entries.Enqueue(request);
            while (entries.Count > capacity)
            {
                entries.Dequeue();
            }
        }
    }

    /// <summary>A copy of the log, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (gate)
        {
            return [.. entries];
        }
    }

    /// <summary>Empties the log.</summary>
    public void Clear()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }
}
