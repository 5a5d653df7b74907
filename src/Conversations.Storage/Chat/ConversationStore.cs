using System.Text.Json;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Chat;

/// <summary>
/// Conversations and their append-only message log. Every statement is scoped by tenant. Titles, message content and
/// citations are sealed with the tenant's data key (row identity: the conversation, and the message's seq). Appends
/// are committed in groups (<see cref="GroupCommitter"/>).
/// </summary>
public sealed class ConversationStore(NpgsqlDataSource db, TenantKeyRing keys, GroupCommitter? commits = null)
{
    // A store made without the process's committer (a test's, a read-only host's) groups its own writes.
    private readonly GroupCommitter _commits = commits ?? new GroupCommitter(db);

    private const string MessageColumns = "seq, turn_id, role, content, status, token_count, model, created_at, citations::text, image_ids::text, request_fingerprint, final_event, finish_reason";
    private static readonly JsonSerializerOptions CitationJson = new(JsonSerializerDefaults.Web);

    /// <summary>Creates the conversation row; returns the stored row (the existing one when it was already there).</summary>
    public async Task<ConversationRecord> CreateAsync(string tenantId, string conversationId, string userId, string title, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO conversations (tenant_id, conversation_id, user_id, title) VALUES (@t, @c, @u, @title)
            ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
            RETURNING tenant_id, conversation_id, user_id, title, created_at, updated_at, message_count
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("u", userId);
        var key = await keys.ForTenantAsync(tenantId, ct);
        cmd.Parameters.AddWithValue("title", key.Seal(title, "conversations", conversationId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return ReadConversation(r, key);
    }

    /// <summary>The conversation row, or null.</summary>
    public async Task<ConversationRecord?> GetAsync(string tenantId, string conversationId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT tenant_id, conversation_id, user_id, title, created_at, updated_at, message_count
            FROM conversations WHERE tenant_id = @t AND conversation_id = @c
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadConversation(r, await keys.ForTenantAsync(tenantId, ct)) : null;
    }

    /// <summary>
    /// A user's conversations, most recently updated first; keyset-paged by (updated_at, id), with where the next page
    /// starts (null at the end). With <paramref name="search"/>, only those whose title or one of whose messages in the
    /// history holds it (case-insensitive, taken literally), each with the text around its first match in a message
    /// (null when the title matched). Titles and messages are sealed, so the user's own list is read in batches, opened
    /// and filtered here until the page is full, <see cref="SearchScanLimit"/> conversations were read or
    /// <see cref="SearchMessageLimit"/> messages opened: one request's work is bounded, and the next page goes on from there.
    /// </summary>
    public async Task<(IReadOnlyList<(ConversationRecord Conversation, string? Match)> Rows, (DateTimeOffset UpdatedAt, string Id)? Next)> ListAsync(
        string tenantId, string userId, (DateTimeOffset UpdatedAt, string Id)? after, int limit, CancellationToken ct = default,
        string? search = null)
    {
        var key = await keys.ForTenantAsync(tenantId, ct);
        if (string.IsNullOrEmpty(search)) search = null;
        var batchSize = search is null ? limit : Math.Max(limit, SearchBatch);
        var list = new List<(ConversationRecord, string?)>();
        var opened = 0;
        for (var scanned = 0; ; scanned += batchSize)
        {
            var rows = await ListRowsAsync(tenantId, userId, after, batchSize, key, ct);
            // Titles first; only the conversations whose title does not hold the text are searched in their messages.
            string[] misses = search is null ? [] : [.. rows.Where(r => !r.Title.Contains(search, StringComparison.OrdinalIgnoreCase)).Select(r => r.ConversationId)];
            var titleMisses = misses.ToHashSet(StringComparer.Ordinal);
            var (inMessages, read, through) = await MessageMatchesAsync(tenantId, misses, search, key, SearchMessageLimit - opened, ct);
            opened += read;
            var unread = misses.Skip(through).ToHashSet(StringComparer.Ordinal);
            (DateTimeOffset, string)? done = after;
            foreach (var row in rows)
            {
                // The message budget ran out before this conversation's messages were read: the next page starts here.
                if (unread.Contains(row.ConversationId)) return (list, done);
                done = (row.UpdatedAt, row.ConversationId);
                string? match = null;
                if (titleMisses.Contains(row.ConversationId) && !inMessages.TryGetValue(row.ConversationId, out match)) continue;
                list.Add((row, match));
                if (list.Count == limit) return (list, (row.UpdatedAt, row.ConversationId));
            }
            if (rows.Count < batchSize) return (list, null);
            after = (rows[^1].UpdatedAt, rows[^1].ConversationId);
            if (scanned + batchSize >= SearchScanLimit || opened >= SearchMessageLimit) return (list, after);
        }
    }

    /// <summary>Conversations one search request reads at most (each with its history) before it answers with a next page.</summary>
    public const int SearchScanLimit = 1_000;

    /// <summary>
    /// Messages one search request opens (decrypts and reads) before it answers with a next page: long histories must not
    /// make one keystroke's search read a user's whole archive.
    /// </summary>
    public const int SearchMessageLimit = 20_000;

    // Conversations scanned per round trip by a search.
    private const int SearchBatch = 200;

    // The first message (by seq) in the history of each conversation that holds the text, as a snippet around it;
    // how many messages it read; and how many of the conversations (in the given order) had all their messages read.
    // At most budget messages are read: the conversations past the cut wait for the next page.
    private async Task<(Dictionary<string, string> Found, int Read, int Through)> MessageMatchesAsync(string tenantId, string[] conversationIds,
        string? search, TenantDataKey key, int budget, CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (search is null || conversationIds.Length == 0) return (found, 0, conversationIds.Length);
        await using var cmd = db.CreateCommand("""
            SELECT m.conversation_id, m.seq, m.content, l.n FROM messages m
            JOIN unnest(@c::text[]) WITH ORDINALITY AS l(id, n) ON m.conversation_id = l.id
            WHERE m.tenant_id = @t AND m.replaced_by IS NULL
            ORDER BY l.n, m.seq
            LIMIT @budget
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationIds);
        cmd.Parameters.AddWithValue("budget", Math.Max(1, budget));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var (rowsRead, last) = (0, 0L);
        while (await r.ReadAsync(ct))
        {
            rowsRead++;
            last = r.GetInt64(3);
            var conversationId = r.GetString(0);
            if (found.ContainsKey(conversationId)) continue;
            var text = key.Open(r.GetString(2), "messages", MessageRow(conversationId, r.GetInt64(1)));
            var at = text.IndexOf(search, StringComparison.OrdinalIgnoreCase);
            if (at >= 0) found[conversationId] = SearchSnippet.Around(text, at, search.Length);
        }
        // All read unless the budget cut the last conversation short; the first always counts as read (a history longer
        // than the budget is searched in its first messages), so every page moves on.
        var through = rowsRead < Math.Max(1, budget) ? conversationIds.Length : Math.Max(1, (int)last - 1);
        // The rows read count, not only those opened: a matched conversation's later rows are read all the same.
        return (found, rowsRead, through);
    }

    private async Task<List<ConversationRecord>> ListRowsAsync(
        string tenantId, string userId, (DateTimeOffset UpdatedAt, string Id)? after, int limit, TenantDataKey key, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT tenant_id, conversation_id, user_id, title, created_at, updated_at, message_count
            FROM conversations
            WHERE tenant_id = @t AND user_id = @u AND (@has_after = false OR (updated_at, conversation_id) < (@a_at, @a_id))
            ORDER BY updated_at DESC, conversation_id DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("has_after", after.HasValue);
        cmd.Parameters.AddWithValue("a_at", after?.UpdatedAt ?? DateTimeOffset.MinValue);
        cmd.Parameters.AddWithValue("a_id", after?.Id ?? "");
        cmd.Parameters.AddWithValue("l", limit);
        var list = new List<ConversationRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadConversation(r, key));
        return list;
    }

    /// <summary>Sets the conversation's title; false when there is no such conversation.</summary>
    public async Task<bool> RenameAsync(string tenantId, string conversationId, string title, CancellationToken ct = default)
    {
        var key = await keys.ForTenantAsync(tenantId, ct);
        await using var cmd = db.CreateCommand("UPDATE conversations SET title = @title WHERE tenant_id = @t AND conversation_id = @c");
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("title", key.Seal(title, "conversations", conversationId));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Deletes the conversation, (by cascade) its messages, and in the same transaction everything derived from it
    /// (<c>erase_conversation_derived</c>: moderation events, routing rows, feedback, cache entries; usage anonymised)
    /// and the images its questions carried that no other message of the tenant carries.
    /// </summary>
    public async Task<bool> DeleteAsync(string tenantId, string conversationId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        string[] images;
        await using (var carried = new NpgsqlCommand("""
            SELECT coalesce(array_agg(DISTINCT i), '{}') FROM messages m, jsonb_array_elements_text(m.image_ids) i
            WHERE m.tenant_id = @t AND m.conversation_id = @c AND m.image_ids IS NOT NULL
            """, conn, tx))
        {
            carried.Parameters.AddWithValue("t", tenantId);
            carried.Parameters.AddWithValue("c", conversationId);
            images = (string[])(await carried.ExecuteScalarAsync(ct))!;
        }
        await using var cmd = new NpgsqlCommand("DELETE FROM conversations WHERE tenant_id = @t AND conversation_id = @c", conn, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        if (await cmd.ExecuteNonQueryAsync(ct) != 1) return false;
        await using var derived = new NpgsqlCommand("SELECT erase_conversation_derived(@t, @c)", conn, tx);
        derived.Parameters.AddWithValue("t", tenantId);
        derived.Parameters.AddWithValue("c", conversationId);
        await derived.ExecuteNonQueryAsync(ct);
        if (images.Length > 0)
        {
            // An image sent again in another conversation (the same upload id) stays for that one.
            await using var gone = new NpgsqlCommand("""
                DELETE FROM message_images mi WHERE mi.tenant_id = @t AND mi.image_id = ANY(@ids)
                  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = @t AND m.image_ids ? mi.image_id)
                """, conn, tx);
            gone.Parameters.AddWithValue("t", tenantId);
            gone.Parameters.AddWithValue("ids", images);
            await gone.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Appends messages (and the turn's usage records, when given) in one transaction, and bumps the conversation's
    /// counters; seqs must be new. The write goes through the group committer: concurrent appends share a transaction,
    /// and the returned task ends once this append has committed. <paramref name="replacesTurnId"/> (a question that
    /// regenerates or edits the last turn) marks that turn's earlier messages replaced in the same transaction.
    /// </summary>
    public async Task AppendAsync(string tenantId, string conversationId, IReadOnlyList<MessageRecord> messages,
        IReadOnlyList<UsageRecord>? usage = null, CancellationToken ct = default, string? replacesTurnId = null)
    {
        if (messages.Count == 0) return;
        var key = await keys.ForTenantAsync(tenantId, ct);
        // Sealed once: a failed group is retried write by write with new statements over the same values.
        var content = messages.Select(m => key.Seal(m.Content, "messages", MessageRow(conversationId, m.Seq))).ToArray();
        var citations = messages.Select(m => m.Citations is null ? null
            : JsonSerializer.Serialize(key.Seal(JsonSerializer.Serialize(m.Citations, CitationJson), "messages.citations", MessageRow(conversationId, m.Seq)))).ToArray();
        await _commits.CommitAsync($"{tenantId}\n{conversationId}", Statements, ct);

        IEnumerable<NpgsqlBatchCommand> Statements()
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO messages (tenant_id, conversation_id, seq, turn_id, role, content, status, token_count, model, created_at, citations, image_ids,
                    request_fingerprint, final_event, finish_reason)
                SELECT @t, @c, s, tu, ro, co, st, tc, mo, ca, ci::jsonb, im::jsonb, fp, fe, fr
                FROM unnest(@seq, @turn, @role, @content, @status, @tokens, @model, @created, @citations, @images, @fingerprints, @finals, @finishes)
                    AS m(s, tu, ro, co, st, tc, mo, ca, ci, im, fp, fe, fr)
                """);
            insert.Parameters.AddWithValue("t", tenantId);
            insert.Parameters.AddWithValue("c", conversationId);
            insert.Parameters.AddWithValue("seq", messages.Select(m => m.Seq).ToArray());
            insert.Parameters.AddWithValue("turn", messages.Select(m => m.TurnId).ToArray());
            insert.Parameters.AddWithValue("role", messages.Select(m => m.Role).ToArray());
            insert.Parameters.AddWithValue("content", content);
            insert.Parameters.AddWithValue("status", messages.Select(m => m.Status).ToArray());
            insert.Parameters.AddWithValue("tokens", messages.Select(m => m.TokenCount).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("model", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Model).ToArray() });
            insert.Parameters.AddWithValue("created", messages.Select(m => m.CreatedAt).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("citations", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = citations });
            insert.Parameters.Add(new NpgsqlParameter("images", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = messages.Select(m => m.ImageIds is { Count: > 0 } ids ? JsonSerializer.Serialize(ids) : null).ToArray(),
            });
            insert.Parameters.Add(new NpgsqlParameter("fingerprints", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = messages.Select(m => m.RequestFingerprint).ToArray(),
            });
            insert.Parameters.Add(new NpgsqlParameter("finals", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = messages.Select(m => m.FinalEvent).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("finishes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.FinishReason).ToArray() });
            yield return insert;

            var bump = new NpgsqlBatchCommand(
                "UPDATE conversations SET updated_at = now(), message_count = message_count + @n WHERE tenant_id = @t AND conversation_id = @c");
            bump.Parameters.AddWithValue("n", (long)messages.Count);
            bump.Parameters.AddWithValue("t", tenantId);
            bump.Parameters.AddWithValue("c", conversationId);
            // In one transaction with the insert: the log and the counters never disagree.
            yield return bump;
            if (replacesTurnId is not null) yield return ReplaceCommand(tenantId, conversationId, replacesTurnId, messages[0]);
            if (usage is { Count: > 0 }) yield return UsageStore.InsertCommand(usage);
        }
    }

    /// <summary>
    /// Messages older than <paramref name="beforeSeq"/> (all when null), newest <paramref name="limit"/>, returned oldest
    /// first; without replaced turns' messages unless <paramref name="includeReplaced"/>.
    /// </summary>
    public async Task<IReadOnlyList<MessageRecord>> ReadPageAsync(string tenantId, string conversationId, long? beforeSeq, int limit, CancellationToken ct = default,
        bool includeReplaced = false)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {MessageColumns} FROM messages
            WHERE tenant_id = @t AND conversation_id = @c AND seq < @before {(includeReplaced ? "" : "AND replaced_by IS NULL")}
            ORDER BY seq DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("before", beforeSeq ?? long.MaxValue);
        cmd.Parameters.AddWithValue("l", limit);
        var key = await keys.ForTenantAsync(tenantId, ct);
        var list = new List<MessageRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadMessage(r, key, conversationId));
        list.Reverse();
        return list;
    }

    /// <summary>Messages with seq greater than <paramref name="afterSeq"/>, oldest first.</summary>
    public async Task<IReadOnlyList<MessageRecord>> ReadAfterAsync(string tenantId, string conversationId, long afterSeq, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {MessageColumns} FROM messages
            WHERE tenant_id = @t AND conversation_id = @c AND seq > @after
            ORDER BY seq LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("after", afterSeq);
        cmd.Parameters.AddWithValue("l", limit);
        var key = await keys.ForTenantAsync(tenantId, ct);
        var list = new List<MessageRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadMessage(r, key, conversationId));
        return list;
    }

    /// <summary>A turn's question and answer (the first of each, should a turn id repeat), or null when the conversation has no such turn.</summary>
    public async Task<StoredTurn?> ReadTurnAsync(string tenantId, string conversationId, string turnId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {MessageColumns} FROM messages
            WHERE tenant_id = @t AND conversation_id = @c AND turn_id = @turn
            ORDER BY seq LIMIT 4
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("turn", turnId);
        var key = await keys.ForTenantAsync(tenantId, ct);
        var rows = new List<MessageRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rows.Add(ReadMessage(r, key, conversationId));
        var question = rows.FirstOrDefault(m => m.Role == "user");
        return question is null ? null : new StoredTurn(question, rows.FirstOrDefault(m => m.Role == "assistant" && m.Seq > question.Seq));
    }

    /// <summary>
    /// The fingerprint a question sent with a client-chosen turn id is stored with (see
    /// <see cref="TenantDataKey.RequestFingerprint"/>): what the client sent, keyed by the tenant and the conversation.
    /// </summary>
    public async Task<string> RequestFingerprintAsync(string tenantId, string conversationId, string text, string? imageRefs, CancellationToken ct = default) =>
        (await keys.ForTenantAsync(tenantId, ct)).RequestFingerprint(conversationId, text, imageRefs);

    /// <summary>Every question of the conversation, oldest page last (what the user's memory may have learned from).</summary>
    public async Task<List<string>> ReadQuestionsAsync(string tenantId, string conversationId, CancellationToken ct = default)
    {
        var said = new List<string>();
        for (long? before = null; ;)
        {
            var page = await ReadPageAsync(tenantId, conversationId, before, 200, ct, includeReplaced: true);
            said.AddRange(page.Where(m => m.Role == "user").Select(m => m.Content));
            if (page.Count < 200 || page[0].Seq <= 1) return said;
            before = page[0].Seq;
        }
    }

    /// <summary>The highest stored seq (0 for an empty log) and how many messages replaced turns left behind.</summary>
    public async Task<(long LastSeq, long Replaced)> LogEndAsync(string tenantId, string conversationId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT coalesce((SELECT max(seq) FROM messages WHERE tenant_id = @t AND conversation_id = @c), 0),
                   (SELECT count(*) FROM messages WHERE tenant_id = @t AND conversation_id = @c AND replaced_by IS NOT NULL)
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private static string MessageRow(string conversationId, long seq) => $"{conversationId}/{seq}";

    // Marks the replaced turn's messages (only those before the replacing question) and takes them off the count.
    private static NpgsqlBatchCommand ReplaceCommand(string tenantId, string conversationId, string replacedTurnId, MessageRecord replacing)
    {
        var replace = new NpgsqlBatchCommand("""
            WITH r AS (
                UPDATE messages SET replaced_by = @by
                WHERE tenant_id = @t AND conversation_id = @c AND turn_id = @old AND seq < @seq AND replaced_by IS NULL
                RETURNING 1)
            UPDATE conversations SET message_count = message_count - (SELECT count(*) FROM r) WHERE tenant_id = @t AND conversation_id = @c
            """);
        replace.Parameters.AddWithValue("by", replacing.TurnId);
        replace.Parameters.AddWithValue("t", tenantId);
        replace.Parameters.AddWithValue("c", conversationId);
        replace.Parameters.AddWithValue("old", replacedTurnId);
        replace.Parameters.AddWithValue("seq", replacing.Seq);
        return replace;
    }

    private static ConversationRecord ReadConversation(NpgsqlDataReader r, TenantDataKey key) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), key.Open(r.GetString(3), "conversations", r.GetString(1)),
        r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5), r.GetInt64(6));

    private static MessageRecord ReadMessage(NpgsqlDataReader r, TenantDataKey key, string conversationId)
    {
        var row = MessageRow(conversationId, r.GetInt64(0));
        return new(
            r.GetInt64(0), r.GetString(1), r.GetString(2), key.Open(r.GetString(3), "messages", row), r.GetString(4), r.GetInt32(5),
            r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
            r.IsDBNull(8) ? null : ReadCitations(r.GetString(8), key, row),
            r.IsDBNull(9) ? null : JsonSerializer.Deserialize<List<string>>(r.GetString(9)),
            r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? null : r.GetInt32(11),
            r.IsDBNull(12) ? null : r.GetString(12));
    }

    // Citations are stored as a JSON string holding the sealed JSON array; rows from before encryption hold the array itself.
    private static List<CitationRecord>? ReadCitations(string json, TenantDataKey key, string row) =>
        json.StartsWith('"')
            ? JsonSerializer.Deserialize<List<CitationRecord>>(key.Open(JsonSerializer.Deserialize<string>(json)!, "messages.citations", row), CitationJson)
            : JsonSerializer.Deserialize<List<CitationRecord>>(json, CitationJson);
}
