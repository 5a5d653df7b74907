using System.Text;
using Conversations.Contracts.Moderation;
using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Storage.Moderation;

/// <summary>Moderation events: written in batches (each event once), listed newest first for tenant admins.</summary>
/// <remarks>The excerpt (content) is sealed with the tenant's data key; its row identity is (conversation, turn, phase).</remarks>
public sealed class ModerationEventStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    /// <summary>Largest page <see cref="ListAsync"/> returns.</summary>
    public const int MaxPageSize = 200;

    /// <summary>Inserts the events in one round trip; an event already stored (same tenant, conversation, turn, phase) is skipped.</summary>
    public async Task WriteAsync(IReadOnlyList<ModerationEventRecord> events, CancellationToken ct = default)
    {
        if (events.Count == 0) return;
        await using var batch = db.CreateBatch();
        foreach (var e in events)
        {
            var key = await keys.ForTenantAsync(e.TenantId, ct);
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO moderation_events (tenant_id, user_id, conversation_id, turn_id, phase, action, risk_level, labels, libraries, checkers, content, created_at)
                VALUES (@t, @u, @c, @turn, @p, @a, @r, @labels, @libs, @checkers, @content, @at)
                ON CONFLICT (tenant_id, conversation_id, turn_id, phase) DO NOTHING
                """);
            cmd.Parameters.AddWithValue("t", e.TenantId);
            cmd.Parameters.AddWithValue("u", e.UserId);
            cmd.Parameters.AddWithValue("c", e.ConversationId);
            cmd.Parameters.AddWithValue("turn", e.TurnId);
            cmd.Parameters.AddWithValue("p", e.Phase);
            cmd.Parameters.AddWithValue("a", e.Action);
            cmd.Parameters.AddWithValue("r", e.RiskLevel);
            cmd.Parameters.AddWithValue("labels", e.Labels.ToArray());
            cmd.Parameters.AddWithValue("libs", e.Libraries.ToArray());
            cmd.Parameters.AddWithValue("checkers", e.Checkers.ToArray());
            cmd.Parameters.AddWithValue("content", key.Seal(e.Content, "moderation_events", EventRow(e.ConversationId, e.TurnId, e.Phase)));
            cmd.Parameters.AddWithValue("at", e.CreatedAt);
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One page of a tenant's events, newest first; the tenant is always part of the query.</summary>
    public async Task<IReadOnlyList<ModerationEventRecord>> ListAsync(string tenantId, ModerationEventFilter query, CancellationToken ct = default)
    {
        var sql = new StringBuilder("""
            SELECT id, tenant_id, user_id, conversation_id, turn_id, phase, action, risk_level, labels, libraries, checkers, content, created_at
            FROM moderation_events WHERE tenant_id = @t
            """);
        await using var cmd = db.CreateCommand();
        cmd.Parameters.AddWithValue("t", tenantId);
        void Filter(string clause, string name, object? value)
        {
            if (value is null) return;
            sql.Append(" AND ").Append(clause);
            cmd.Parameters.AddWithValue(name, value);
        }
        Filter("phase = @phase", "phase", query.Phase);
        Filter("action = @action", "action", query.Action);
        Filter("user_id = @user", "user", query.UserId);
        Filter("conversation_id = @conv", "conv", query.ConversationId);
        Filter("@label = ANY(labels)", "label", query.Label);
        Filter("created_at >= @since", "since", query.Since?.ToUniversalTime());
        Filter("created_at < @until", "until", query.Until?.ToUniversalTime());
        Filter("id < @before", "before", query.BeforeId);
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        cmd.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, MaxPageSize));
        cmd.CommandText = sql.ToString();
        var key = await keys.ForTenantAsync(tenantId, ct);
        var list = new List<ModerationEventRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ModerationEventRecord(
                r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7),
                r.GetFieldValue<string[]>(8), r.GetFieldValue<string[]>(9), r.GetFieldValue<string[]>(10),
                key.Open(r.GetString(11), "moderation_events", EventRow(r.GetString(3), r.GetString(4), r.GetString(5))),
                r.GetFieldValue<DateTimeOffset>(12)) { Id = r.GetInt64(0) });
        return list;
    }

    private static string EventRow(string conversationId, string turnId, string phase) => $"{conversationId}/{turnId}/{phase}";
}
