using System.Diagnostics.Metrics;
using Npgsql;

namespace Conversations.Storage.Chat;

/// <summary>Configuration section <c>Chat:GroupCommit</c>.</summary>
public sealed class GroupCommitOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Chat:GroupCommit";

    /// <summary>False commits every write in a transaction of its own, as soon as it is made.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most writes one transaction carries.</summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>
    /// The most group transactions in flight at once. Writes queue only while this many are in flight, so below that
    /// load every write is sent at once; with one, a loaded host's commits would wait on each other's round trips.
    /// </summary>
    public int MaxInFlight { get; set; } = 4;
}

/// <summary>
/// Group commit for the message log's writes (one per data source): a write that finds fewer than
/// <see cref="GroupCommitOptions.MaxInFlight"/> commits in flight is committed at once by its own caller, which becomes a
/// leader; writes that arrive while all leaders are busy queue up, and the first leader to finish commits them next,
/// together, in one transaction: one round trip and one WAL flush for many turns. There is no timer, so a lone writer
/// never waits for company. Each caller's task ends when its own write's COMMIT has returned,
/// so an awaited write is durable. When a batch fails on a statement, its writes are committed one by one, so only the
/// bad write fails, with its own error.
/// </summary>
public sealed class GroupCommitter
{
    private static readonly Meter Meter = new("Conversations", "1.0");
    private static readonly Counter<long> CommitCount = Meter.CreateCounter<long>(
        "conversations.storage.commits", "{transaction}", "Transactions that committed message-log writes.");
    private static readonly Counter<long> WriteCount = Meter.CreateCounter<long>(
        "conversations.storage.committed_writes", "{write}", "Message-log writes committed (a group commit carries several).");

    private readonly NpgsqlDataSource _db;
    private readonly GroupCommitOptions _options;
    private readonly Lock _gate = new();
    private readonly List<PendingWrite> _queue = [];
    private int _leaders;
    private long _commits;
    private long _writes;
    private int _largestBatch;

    /// <summary>A committer over <paramref name="db"/>.</summary>
    public GroupCommitter(NpgsqlDataSource db, GroupCommitOptions? options = null)
    {
        _db = db;
        _options = options ?? new GroupCommitOptions();
        if (_options.MaxBatch < 1 || _options.MaxInFlight < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "Chat:GroupCommit:MaxBatch and MaxInFlight must be at least 1.");
    }

    /// <summary>Whether writes are grouped.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>Transactions that committed writes so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far.</summary>
    public long CommittedWrites => Interlocked.Read(ref _writes);

    /// <summary>The most writes one committed transaction carried.</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>
    /// Commits one write: the statements <paramref name="statements"/> builds (fresh ones on every call: a batch that
    /// failed is retried write by write). <paramref name="orderKey"/> names the rows it locks (tenant and conversation):
    /// a batch runs its writes in that order, so two batches never wait on each other's locks in a cycle, and one
    /// key's writes keep their order. <paramref name="ct"/> is honoured until the write is queued; once queued it commits.
    /// </summary>
    public Task CommitAsync(string orderKey, Func<IEnumerable<NpgsqlBatchCommand>> statements, CancellationToken ct = default)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled(ct);
        if (!_options.Enabled) return CommitAloneAsync(statements, ct);
        var write = new PendingWrite(orderKey, statements);
        bool lead;
        lock (_gate)
        {
            _queue.Add(write);
            lead = _leaders < _options.MaxInFlight;
            if (lead) _leaders++;
        }
        // The leader starts its own write at once, on the caller's thread; what follows the first await runs on the pool.
        if (lead) _ = LeadAsync();
        return write.Done.Task;
    }

    // Commits batches until the queue is empty, then steps down; a write queued after that finds a free place and leads.
    private async Task LeadAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _leaders--;
                    return;
                }
                var take = Math.Min(_queue.Count, _options.MaxBatch);
                batch = _queue.GetRange(0, take);
                _queue.RemoveRange(0, take);
            }
            await CommitBatchAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task CommitBatchAsync(List<PendingWrite> batch)
    {
        try
        {
            if (batch.Count == 1)
            {
                await CommitAloneAsync(batch[0].Statements, CancellationToken.None).ConfigureAwait(false);
                batch[0].Done.TrySetResult();
                return;
            }
            await using (var group = _db.CreateBatch())
            {
                foreach (var write in batch.OrderBy(w => w.OrderKey, StringComparer.Ordinal))
                {
                    try
                    {
                        foreach (var statement in write.Statements().ToList()) group.BatchCommands.Add(statement);
                    }
                    catch (Exception e)
                    {
                        // A write that cannot even build its statements fails alone.
                        write.Done.TrySetException(e);
                        batch.Remove(write);
                    }
                }
                if (batch.Count == 0) return;
                // A batch without a transaction runs as one implicit transaction: all of it commits, or none.
                await group.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            Counted(batch.Count);
            foreach (var write in batch) write.Done.TrySetResult();
        }
        catch (PostgresException) when (batch.Count > 1)
        {
            // A statement failed (a taken seq, a destroyed row...) and rolled the whole batch back: commit each write
            // alone, so the others land and only the bad one reports its error.
            foreach (var write in batch)
            {
                try
                {
                    await CommitAloneAsync(write.Statements, CancellationToken.None).ConfigureAwait(false);
                    write.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    write.Done.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            // No connection, a broken one, a timeout: not one write's fault, so every write of the batch gets the error.
            foreach (var write in batch) write.Done.TrySetException(e);
        }
    }

    private async Task CommitAloneAsync(Func<IEnumerable<NpgsqlBatchCommand>> statements, CancellationToken ct)
    {
        await using (var batch = _db.CreateBatch())
        {
            foreach (var statement in statements()) batch.BatchCommands.Add(statement);
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        Counted(1);
    }

    private void Counted(int writes)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, writes);
        var largest = Volatile.Read(ref _largestBatch);
        while (writes > largest && Interlocked.CompareExchange(ref _largestBatch, writes, largest) is var seen && seen != largest) largest = seen;
        CommitCount.Add(1);
        WriteCount.Add(writes);
    }

    private sealed class PendingWrite(string orderKey, Func<IEnumerable<NpgsqlBatchCommand>> statements)
    {
        public string OrderKey => orderKey;
        public Func<IEnumerable<NpgsqlBatchCommand>> Statements => statements;

        // Completed off the leader's thread, so callers' continuations never run inside the leader's loop.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
