using System.Text.Json;
using Conversations.Contracts.Drift;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Drift;

/// <summary>The <c>drift_events</c> table: one row per check that breached a signal; every read filters on the tenant unless the operator lists all.</summary>
public sealed class DriftEventStore(NpgsqlDataSource db) : IDriftEventLog
{
    /// <summary>Most events per page.</summary>
    public const int MaxPage = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a drifted check; returns the event id.</summary>
    public async Task<long> AppendAsync(string tenantId, DriftReport report, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("INSERT INTO drift_events (tenant_id, at, breached, report) VALUES ($1, $2, $3, $4) RETURNING id");
        cmd.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = report.CheckedAt.ToUniversalTime() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = report.Signals.Where(s => s.Breached).Select(s => s.Name).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(report, Json) });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <inheritdoc />
    public async Task<DriftEventPage> ListAsync(string? tenantId, long? before, int limit, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, MaxPage);
        await using var cmd = db.CreateCommand("""
            SELECT id, tenant_id, at, breached, report::text FROM drift_events
            WHERE (@t::text IS NULL OR tenant_id = @t) AND (@b::bigint IS NULL OR id < @b)
            ORDER BY id DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", NpgsqlDbType.Text, (object?)tenantId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("b", NpgsqlDbType.Bigint, (object?)before ?? DBNull.Value);
        cmd.Parameters.AddWithValue("l", limit);
        var events = new List<DriftEvent>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                events.Add(new DriftEvent(r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<string[]>(3),
                    JsonSerializer.Deserialize<DriftReport>(r.GetString(4), Json)! with { EventId = r.GetInt64(0) }));
        return new DriftEventPage(events, events.Count == limit ? events[^1].Id : null);
    }
}
