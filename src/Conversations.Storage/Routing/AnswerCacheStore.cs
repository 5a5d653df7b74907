using Npgsql;
using Pgvector;

namespace Conversations.Storage.Routing;

/// <summary>The exact and semantic answer caches in PostgreSQL, with expiry. Every statement is scoped by tenant.</summary>
public sealed class AnswerCacheStore(NpgsqlDataSource db)
{
    /// <summary>The live exact entry under one of <paramref name="keys"/> (first listed wins), or null.</summary>
    public async Task<CachedAnswer?> GetExactAsync(string tenantId, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT cache_key, answer, model, chunk_ids FROM routing_answer_cache
            WHERE tenant_id = @t AND cache_key = ANY(@k) AND expires_at > now()
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("k", keys.ToArray());
        var found = new Dictionary<string, CachedAnswer>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found[r.GetString(0)] = new CachedAnswer(r.GetString(1), r.GetString(2), r.GetFieldValue<string[]>(3), 1);
        return keys.Select(k => found.GetValueOrDefault(k)).FirstOrDefault(a => a is not null);
    }

    /// <summary>Stores (or refreshes) an exact entry.</summary>
    public async Task PutExactAsync(string tenantId, string key, string question, CachedAnswer answer, TimeSpan ttl, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_answer_cache (tenant_id, cache_key, question, answer, model, chunk_ids, expires_at)
            VALUES (@t, @k, @q, @a, @m, @chunks, now() + @ttl)
            ON CONFLICT (tenant_id, cache_key) DO UPDATE SET answer = EXCLUDED.answer, model = EXCLUDED.model,
                chunk_ids = EXCLUDED.chunk_ids, created_at = now(), expires_at = EXCLUDED.expires_at
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("k", key);
        cmd.Parameters.AddWithValue("q", question);
        cmd.Parameters.AddWithValue("a", answer.Answer);
        cmd.Parameters.AddWithValue("m", answer.Model);
        cmd.Parameters.AddWithValue("chunks", answer.ChunkIds.ToArray());
        cmd.Parameters.AddWithValue("ttl", ttl);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The live semantic entry nearest to <paramref name="embedding"/> inside the given scope partitions, when at least <paramref name="minSimilarity"/>.</summary>
    public async Task<CachedAnswer?> FindSimilarAsync(string tenantId, IReadOnlyList<string> scopeKeys, float[] embedding, double minSimilarity, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT answer, model, chunk_ids, 1 - (embedding <=> @v) AS similarity FROM routing_semantic_cache
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
        return similarity >= minSimilarity ? new CachedAnswer(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2), similarity) : null;
    }

    /// <summary>Adds a semantic entry to a scope partition.</summary>
    public async Task PutSimilarAsync(string tenantId, string scopeKey, string question, float[] embedding, CachedAnswer answer, TimeSpan ttl, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO routing_semantic_cache (tenant_id, scope_key, question, embedding, answer, model, chunk_ids, expires_at)
            VALUES (@t, @s, @q, @v, @a, @m, @chunks, now() + @ttl)
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", scopeKey);
        cmd.Parameters.AddWithValue("q", question);
        cmd.Parameters.AddWithValue("v", new Vector(embedding));
        cmd.Parameters.AddWithValue("a", answer.Answer);
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
