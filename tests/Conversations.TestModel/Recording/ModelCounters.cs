namespace Conversations.TestModel.Recording;

/// <summary>Running totals for one model name (or for the whole server), safe to read while requests run.</summary>
public sealed class ModelCounters
{
    private long requests;
    private long streams;
    private long faults;
    private long errors;
    private long completed;
    private long active;
    private long promptTokens;
    private long cachedTokens;
    private long completionTokens;

    /// <summary>Chat-completion requests received.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Of those, streaming requests.</summary>
    public long Streams => Interlocked.Read(ref streams);

    /// <summary>Requests hit by an injected fault.</summary>
    public long Faults => Interlocked.Read(ref faults);

    /// <summary>Requests answered with an error status (injected or not).</summary>
    public long Errors => Interlocked.Read(ref errors);

    /// <summary>Requests answered in full.</summary>
    public long Completed => Interlocked.Read(ref completed);

    /// <summary>Requests in progress now.</summary>
    public long Active => Interlocked.Read(ref active);

    /// <summary>Prompt tokens of completed requests.</summary>
    public long PromptTokens => Interlocked.Read(ref promptTokens);

    /// <summary>Cached prompt tokens of completed requests.</summary>
    public long CachedTokens => Interlocked.Read(ref cachedTokens);

    /// <summary>Completion tokens sent.</summary>
    public long CompletionTokens => Interlocked.Read(ref completionTokens);

    internal void Started(bool stream)
    {
        Interlocked.Increment(ref requests);
        Interlocked.Increment(ref active);
        if (stream)
        {
            Interlocked.Increment(ref streams);
        }
    }

    internal void Ended() => Interlocked.Decrement(ref active);

    internal void Faulted() => Interlocked.Increment(ref faults);

    internal void Errored() => Interlocked.Increment(ref errors);

    internal void Finished(int prompt, int cached, int completion)
    {
        Interlocked.Increment(ref completed);
        Interlocked.Add(ref promptTokens, prompt);
        Interlocked.Add(ref cachedTokens, cached);
        Interlocked.Add(ref completionTokens, completion);
    }

    internal void TokensSent(int completion) => Interlocked.Add(ref completionTokens, completion);

    internal CountersSnapshot Snapshot() =>
        new(Requests, Streams, Faults, Errors, Completed, Active, PromptTokens, CachedTokens, CompletionTokens);
}

/// <summary>A point-in-time copy of <see cref="ModelCounters"/>, as the control API returns it.</summary>
public sealed record CountersSnapshot(
    long Requests,
    long Streams,
    long Faults,
    long Errors,
    long Completed,
    long Active,
    long PromptTokens,
    long CachedTokens,
    long CompletionTokens);
