namespace Conversations.IntegrationTests.Storage;

/// <summary>The message log's group commit on a scratch PostgreSQL database: fewer transactions than writes, each caller its own result, durable on return.</summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private string _tenant = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync("gc");
        _tenant = $"gc-{Guid.NewGuid():n}"[..16];
        await _db.CreateTenantAsync(_tenant);
    }

    /// <inheritdoc />
    public async Task DisposeAsync() => await _db.DisposeAsync();

    // A store whose key ring caches the tenant's key, as the hosts' does, so appends reach the committer without a read.
    private Task<ConversationStore> StoreAsync(GroupCommitter commits)
    {
        var store = new ConversationStore(_db.DataSource,
            new TenantKeyRing(_db.DataSource, new LocalFileKeyProvider(TestKeys.MasterKeyFile), new EncryptionOptions { KeyCacheSeconds = 60 }), commits);
        return Task.FromResult(store);
    }

    private async Task<List<string>> ConversationsAsync(ConversationStore store, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"c{i}-{Guid.NewGuid():n}"[..12]).ToList();
        foreach (var id in ids) await store.CreateAsync(_tenant, id, "admin", "t");
        return ids;
    }

    private static MessageRecord Message(long seq, string text) =>
        new(seq, $"turn-{seq}", seq % 2 == 1 ? "user" : "assistant", text, MessageStatus.Complete, 3, null, DateTimeOffset.UtcNow);

    // Reads a message's sealed content and the conversation's counter on a connection of its own, outside the store's pool.
    private async Task<(bool Found, long Count)> SeenElsewhereAsync(string conversationId, long seq)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM messages WHERE tenant_id = @t AND conversation_id = @c AND seq = @s),
                   (SELECT message_count FROM conversations WHERE tenant_id = @t AND conversation_id = @c)
            """, conn);
        cmd.Parameters.AddWithValue("t", _tenant);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("s", seq);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetBoolean(0), r.GetInt64(1));
    }

    [Fact(DisplayName = "Concurrent appends from many conversations commit in fewer transactions than writes; each caller's rows are its own, and visible from another connection when its call returns")]
    public async Task Concurrent_appends_share_transactions()
    {
        var commits = new GroupCommitter(_db.DataSource);
        var store = await StoreAsync(commits);
        var conversations = await ConversationsAsync(store, 40);
        var (commitsBefore, writesBefore) = (commits.Commits, commits.CommittedWrites);

        // 40 conversations × 4 messages, all started at once; each caller checks its own row from elsewhere on return.
        var appends = conversations.SelectMany(c => Enumerable.Range(1, 4).Select(async seq =>
        {
            await store.AppendAsync(_tenant, c, [Message(seq, $"{c} says {seq}")]);
            Assert.True((await SeenElsewhereAsync(c, seq)).Found, $"{c}/{seq} was not visible from another connection after its append returned");
        })).ToList();
        await Task.WhenAll(appends);

        var (transactions, writes) = (commits.Commits - commitsBefore, commits.CommittedWrites - writesBefore);
        Assert.Equal(160, writes);
        Assert.True(transactions < writes / 4, $"{writes} writes took {transactions} transactions");
        Assert.True(commits.LargestBatch > 1);
        foreach (var c in conversations)
        {
            var page = await store.ReadPageAsync(_tenant, c, null, 10);
            Assert.Equal([1L, 2, 3, 4], page.Select(m => m.Seq));
            Assert.Equal(Enumerable.Range(1, 4).Select(seq => $"{c} says {seq}"), page.Select(m => m.Content));
            Assert.Equal(4, (await store.GetAsync(_tenant, c))!.MessageCount);
        }
    }

    [Fact(DisplayName = "A write that fails inside a group fails only its own caller, with its own error; the others in its transaction are committed")]
    public async Task Failing_write_fails_only_its_caller()
    {
        var commits = new GroupCommitter(_db.DataSource);
        var store = await StoreAsync(commits);
        var conversations = await ConversationsAsync(store, 20);
        var taken = conversations[7];
        await store.AppendAsync(_tenant, taken, [Message(1, "already here")]);

        // The first append leads alone; the rest, the bad one among them, queue behind it and form one group.
        var appends = conversations.Select(c => store.AppendAsync(_tenant, c, [Message(1, $"{c} first")])).ToList();
        var failure = await Record.ExceptionAsync(() => appends[7]);
        var conflict = Assert.IsType<PostgresException>(failure);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, conflict.SqlState);
        for (var i = 0; i < appends.Count; i++)
        {
            if (i == 7) continue;
            await appends[i];
            Assert.Equal((true, 1L), await SeenElsewhereAsync(conversations[i], 1));
        }
        Assert.Equal("already here", Assert.Single(await store.ReadPageAsync(_tenant, taken, null, 10)).Content);
        Assert.Equal(1, (await store.GetAsync(_tenant, taken))!.MessageCount);
    }

    [Fact(DisplayName = "A lone write commits at once in its own transaction: no batch window, no slower than with group commit off")]
    public async Task Lone_write_is_not_delayed()
    {
        var grouped = new GroupCommitter(_db.DataSource);
        var direct = new GroupCommitter(_db.DataSource, new GroupCommitOptions { Enabled = false });
        var viaGroup = await StoreAsync(grouped);
        var alone = await StoreAsync(direct);
        var conversation = (await ConversationsAsync(viaGroup, 1))[0];
        var (groupedTimes, directTimes) = (new List<double>(), new List<double>());
        var seq = 0L;
        // Alternate, so both see the same machine; the first rounds warm the connection and prepared statements.
        for (var round = 0; round < 30; round++)
        {
            foreach (var (writer, times) in new[] { (viaGroup, groupedTimes), (alone, directTimes) })
            {
                var clock = Stopwatch.StartNew();
                await writer.AppendAsync(_tenant, conversation, [Message(++seq, "alone")]);
                if (round >= 5) times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        Assert.Equal(30, grouped.Commits);
        Assert.Equal(1, grouped.LargestBatch);
        var (g, d) = (Median(groupedTimes), Median(directTimes));
        Assert.True(g <= d * 2 + 1, $"a lone grouped write took {g:0.00} ms (median), a direct one {d:0.00} ms");
        Assert.Equal(60, (await viaGroup.GetAsync(_tenant, conversation))!.MessageCount);

        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    }

    [Fact(DisplayName = "With group commit off (Chat:GroupCommit:Enabled=false) every write is a transaction of its own")]
    public async Task Disabled_commits_each_write_alone()
    {
        var commits = new GroupCommitter(_db.DataSource, new GroupCommitOptions { Enabled = false });
        var store = await StoreAsync(commits);
        var conversations = await ConversationsAsync(store, 10);
        await Task.WhenAll(conversations.Select(c => store.AppendAsync(_tenant, c, [Message(1, "q"), Message(2, "a")])));
        Assert.Equal((10L, 10L, 1), (commits.Commits, commits.CommittedWrites, commits.LargestBatch));
        foreach (var c in conversations) Assert.Equal((true, 2L), await SeenElsewhereAsync(c, 2));
    }
}
