using Conversations.Storage.Encryption;
using Npgsql;
using Pgvector;

namespace Conversations.Storage.Routing;

/// <summary>
/// The exact and semantic answer caches in PostgreSQL, with expiry. Every statement is scoped by tenant. Questions and
/// answers are sealed with the tenant's data key; the exact cache is looked up by an HMAC of the caller's key under the
/// tenant's key, so a stored key cannot be matched against guessed questions without it.
/// </summary>
public sealed class AnswerCacheStore(NpgsqlDataSource db, TenantKeyRing keyRing)
{
    /// <summary>The live exact entry under one of <paramref name="keys"/> (first listed wins), or null.</summary>
    public async Task<CachedAnswer?> GetExactAsync(string tenantId, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT cache_key, answer, model, chunk_ids FROM routing_answer_cache
            WHERE tenant_id = @t AND cache_key = ANY(@k) AND expires_at > now()
            """);
        var key = await keyRing.ForTenantAsync(tenantId, ct);
        var lookups = keys.Select(key.Lookup).ToArray();
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("k", lookups);
        var found = new Dictionary<string, CachedAnswer>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var lookup = r.GetString(0);
            found[lookup] = new CachedAnswer(key.Open(r.GetString(1), "routing_answer_cache.answer", lookup), r.GetString(2), r.GetFieldValue<string[]>(3), 1);
        }
        return lookups.Select(k => found.GetValueOrDefault(k)).FirstOrDefault(a => a is not null);
    }

    /// <summary>Stores (or refreshes) an exact entry.</summary>
    public async Task PutExactAsync(string tenantId, string key, string question, CachedAnswer answer, TimeSpan ttl, CancellationToken ct = default)
    {
        var tenantKey = await keyRing.ForTenantAsync(tenantId, ct);
        var lookup = tenantKey.Lookup(key);
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_answer_cache (tenant_id, cache_key, question, answer, model, chunk_ids, expires_at)
            VALUES (@t, @k, @q, @a, @m, @chunks, now() + @ttl)
            ON CONFLICT (tenant_id, cache_key) DO UPDATE SET answer = EXCLUDED.answer, model = EXCLUDED.model,
                chunk_ids = EXCLUDED.chunk_ids, created_at = now(), expires_at = EXCLUDED.expires_at
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("k", lookup);
        cmd.Parameters.AddWithValue("q", tenantKey.Seal(question, "routing_answer_cache.question", lookup));
        cmd.Parameters.AddWithValue("a", tenantKey.Seal(answer.Answer, "routing_answer_cache.answer", lookup));
        cmd.Parameters.AddWithValue("m", answer.Model);
        cmd.Parameters.AddWithValue("chunks", answer.ChunkIds.ToArray());
        cmd.Parameters.AddWithValue("ttl", ttl);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The live semantic entry nearest to <paramref name="embedding"/> inside the given scope partitions, when at least <paramref name="minSimilarity"/>.</summary>
    public async Task<CachedAnswer?> FindSimilarAsync(string tenantId, IReadOnlyList<string> scopeKeys, float[] embedding, double minSimilarity, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT answer, model, chunk_ids, 1 - (embedding <=> @v) AS similarity, id FROM routing_semantic_cache
            WHERE tenant_id = @t AND scope_key = ANY(@s) AND expires_at > now() AND vector_dims(embedding) = @dims
            ORDER BY embedding <=> @v LIMIT 1
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", scopeKeys.ToArray());
        cmd.Parameters.AddWithValue("v", new Vector(embedding));
        cmd.Parameters.AddWithValue("dims", embedding.Length);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var similarity = r.GetDouble(3);
        if (similarity < minSimilarity) return null;
        var key = await keyRing.ForTenantAsync(tenantId, ct);
        return new CachedAnswer(key.Open(r.GetString(0), "routing_semantic_cache.answer", r.GetInt64(4).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            r.GetString(1), r.GetFieldValue<string[]>(2), similarity);
    }

    /// <summary>Adds a semantic entry to a scope partition.</summary>
    public async Task PutSimilarAsync(string tenantId, string scopeKey, string question, float[] embedding, CachedAnswer answer, TimeSpan ttl, CancellationToken ct = default)
    {
        var key = await keyRing.ForTenantAsync(tenantId, ct);
        // The row's id is its identity in the sealed values, so it is taken before the insert.
        long id;
        await using (var next = db.CreateCommand("SELECT nextval(pg_get_serial_sequence('routing_semantic_cache', 'id'))"))
            id = (long)(await next.ExecuteScalarAsync(ct))!;
        var row = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_semantic_cache (id, tenant_id, scope_key, question, embedding, answer, model, chunk_ids, expires_at)
            VALUES (@id, @t, @s, @q, @v, @a, @m, @chunks, now() + @ttl)
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", scopeKey);
        cmd.Parameters.AddWithValue("q", key.Seal(question, "routing_semantic_cache.question", row));
        cmd.Parameters.AddWithValue("v", new Vector(embedding));
        cmd.Parameters.AddWithValue("a", key.Seal(answer.Answer, "routing_semantic_cache.answer", row));
        cmd.Parameters.AddWithValue("m", answer.Model);
        cmd.Parameters.AddWithValue("chunks", answer.ChunkIds.ToArray());
        cmd.Parameters.AddWithValue("ttl", ttl);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes expired entries of both caches; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken ct = default)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM routing_answer_cache WHERE expires_at <= now()"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM routing_semantic_cache WHERE expires_at <= now()"));
        return await batch.ExecuteNonQueryAsync(ct);
    }
}
