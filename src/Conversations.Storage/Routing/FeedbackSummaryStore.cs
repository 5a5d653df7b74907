using Npgsql;

namespace Conversations.Storage.Routing;

/// <summary>Votes of one model and route in one period: how the route served the answers (served_by of the turn).</summary>
public sealed record FeedbackSummaryRow(DateTimeOffset PeriodStart, string Model, string Route, long Votes, long Negative);

/// <summary>Vote counts grouped by period, model and route. Every statement is scoped by tenant.</summary>
public sealed class FeedbackSummaryStore(NpgsqlDataSource db)
{
    /// <summary>Most groups in one summary.</summary>
    public const int MaxRows = 500;

    /// <summary>Counts of the tenant's votes (each message once, its last vote) in [since, until), per period ("day", "week" or "month"), model and route.</summary>
    public async Task<IReadOnlyList<FeedbackSummaryRow>> SummaryAsync(string tenantId, string period, DateTimeOffset since, DateTimeOffset until, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT date_trunc(@p, f.created_at, 'UTC') AS period, coalesce(f.model, ''), coalesce(rt.served_by, 'unknown'),
                   count(*), count(*) FILTER (WHERE f.negative)
            FROM routing_feedback f
            LEFT JOIN routing_turns rt ON rt.tenant_id = f.tenant_id AND rt.conversation_id = f.conversation_id AND rt.turn_id = f.turn_id
            WHERE f.tenant_id = @t AND f.created_at >= @since AND f.created_at < @until
            GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3 LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("p", period);
        cmd.Parameters.AddWithValue("since", since.ToUniversalTime());
        cmd.Parameters.AddWithValue("until", until.ToUniversalTime());
        cmd.Parameters.AddWithValue("l", MaxRows);
        var rows = new List<FeedbackSummaryRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new FeedbackSummaryRow(r.GetFieldValue<DateTimeOffset>(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4)));
        return rows;
    }
}
