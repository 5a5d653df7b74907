using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Storage.Audit;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Evaluation;

/// <summary>A stored evaluation set; <see cref="CasesJson"/> is the cases as the API serialised them.</summary>
public sealed record EvaluationSetRecord(string SetId, string Name, string CasesJson, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A stored evaluation run: its state and progress, its averages (null until completed) and per-case results as JSON.</summary>
public sealed record EvaluationRunRecord(string RunId, string SetId, string ModelId, string Purpose, string? SummaryJson, string CasesJson,
    string CreatedBy, DateTimeOffset CreatedAt, string Status, int CasesDone, int CasesTotal, string? Error = null);

/// <summary>
/// Evaluation sets and runs. Every statement is scoped by tenant. Cases and per-case results (questions, answers) are
/// sealed with the tenant's data key, stored as a JSON string; a run's averages stay readable.
/// </summary>
public sealed class EvaluationStore(NpgsqlDataSource db, TenantKeyRing keys)
{
    private const string SetsTable = "evaluation_sets";
    private const string RunsTable = "evaluation_runs";

    private async Task<string> SealAsync(string tenantId, string json, string table, string rowId, CancellationToken ct) =>
        JsonSerializer.Serialize((await keys.ForTenantAsync(tenantId, ct)).Seal(json, table, rowId));

    private async Task<string> OpenAsync(string tenantId, string stored, string table, string rowId, CancellationToken ct) =>
        (await keys.ForTenantAsync(tenantId, ct)).Open(stored, table, rowId);

    /// <summary>Stores a new set; false when the id is taken.</summary>
    public async Task<bool> InsertSetAsync(string tenantId, string setId, string name, string casesJson, string createdBy, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO evaluation_sets (tenant_id, set_id, name, cases, created_by) VALUES (@t, @s, @n, @c, @b)
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", setId);
        cmd.Parameters.AddWithValue("n", name);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Jsonb) { Value = await SealAsync(tenantId, casesJson, SetsTable, setId, ct) });
        cmd.Parameters.AddWithValue("b", createdBy);
        return await WithAuditAsync(cmd, audit, ct) == 1;
    }

    // Runs a change and, when it changed a row, its audit entry in one transaction.
    private async Task<int> WithAuditAsync(NpgsqlCommand change, AuditWrite? audit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        change.Connection = connection;
        change.Transaction = tx;
        var rows = await change.ExecuteNonQueryAsync(ct);
        if (rows > 0 && audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    /// <summary>The tenant's sets, newest first (cases included).</summary>
    public async Task<IReadOnlyList<EvaluationSetRecord>> ListSetsAsync(string tenantId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT set_id, name, cases #>> '{}', created_by, created_at FROM evaluation_sets WHERE tenant_id = @t ORDER BY created_at DESC LIMIT 500
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        var list = new List<EvaluationSetRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new(r.GetString(0), r.GetString(1), await OpenAsync(tenantId, r.GetString(2), SetsTable, r.GetString(0), ct), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4)));
        return list;
    }

    /// <summary>One set, or null.</summary>
    public async Task<EvaluationSetRecord?> GetSetAsync(string tenantId, string setId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT set_id, name, cases #>> '{}', created_by, created_at FROM evaluation_sets WHERE tenant_id = @t AND set_id = @s
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", setId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new(r.GetString(0), r.GetString(1), await OpenAsync(tenantId, r.GetString(2), SetsTable, setId, ct), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    /// <summary>Deletes a set and its runs; false when there was none.</summary>
    public async Task<bool> DeleteSetAsync(string tenantId, string setId, AuditWrite? audit = null, CancellationToken ct = default)
    {
        // The set first: that waits for a run being stored (it holds the set's row), and the runs' delete, a statement
        // of its own with a fresh snapshot, then sees that run too.
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM evaluation_sets WHERE tenant_id = @t AND set_id = @s;
            DELETE FROM evaluation_runs WHERE tenant_id = @t AND set_id = @s
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("s", setId);
        return await WithAuditAsync(cmd, audit, ct) > 0;
    }

    /// <summary>A vote on an answer: (voter, negative, the answer's turn), or null when there is none.</summary>
    public async Task<(string UserId, bool Negative, string TurnId)?> VoteAsync(string tenantId, string conversationId, long seq, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            SELECT user_id, negative, turn_id FROM routing_feedback WHERE tenant_id = @t AND conversation_id = @c AND seq = @s
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("c", conversationId);
        cmd.Parameters.AddWithValue("s", seq);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.GetBoolean(1), r.GetString(2)) : null;
    }

    /// <summary>Appends one case (JSON) to a set holding fewer than <paramref name="maxCases"/>; false when the set is missing or full.</summary>
    public async Task<bool> AppendCaseAsync(string tenantId, string setId, string caseJson, int maxCases, AuditWrite? audit = null, CancellationToken ct = default)
    {
        // Sealed cases cannot be appended in SQL: read, add and write back under a row lock.
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        string stored;
        await using (var read = new NpgsqlCommand("SELECT cases #>> '{}' FROM evaluation_sets WHERE tenant_id = @t AND set_id = @s FOR UPDATE", connection, tx))
        {
            read.Parameters.AddWithValue("t", tenantId);
            read.Parameters.AddWithValue("s", setId);
            if (await read.ExecuteScalarAsync(ct) is not string found) return false;
            stored = found;
        }
        var cases = JsonNode.Parse(await OpenAsync(tenantId, stored, SetsTable, setId, ct))!.AsArray();
        if (cases.Count >= maxCases) return false;
        cases.Add(JsonNode.Parse(caseJson));
        await using (var write = new NpgsqlCommand("UPDATE evaluation_sets SET cases = @c WHERE tenant_id = @t AND set_id = @s", connection, tx))
        {
            write.Parameters.AddWithValue("t", tenantId);
            write.Parameters.AddWithValue("s", setId);
            write.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Jsonb) { Value = await SealAsync(tenantId, cases.ToJsonString(), SetsTable, setId, ct) });
            await write.ExecuteNonQueryAsync(ct);
        }
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>How often a running run touches its heartbeat (besides after each case).</summary>
    public static readonly TimeSpan RunHeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>A running run whose heartbeat is older than this lost its host: it reads as failed.</summary>
    public static readonly TimeSpan RunStaleAfter = TimeSpan.FromMinutes(1);

    /// <summary>What a run whose host stopped says.</summary>
    public const string InterruptedRunError = "The run was interrupted before it finished (the service restarted); start the run again.";

    /// <summary>
    /// Stores a run (a finished one, or one just started as running) of the set created at <paramref name="setCreatedAt"/>; false (nothing stored) when that set
    /// was deleted while the run ran, even if a new set has the id since: its runs must never show the old cases.
    /// </summary>
    public async Task<bool> InsertRunAsync(string tenantId, EvaluationRunRecord run, DateTimeOffset setCreatedAt, AuditWrite? audit = null, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The set's row stays locked until the run is in: its delete (which takes its runs) comes before and nothing is
        // inserted, or after.
        if (await ResultsToStoreAsync(connection, tx, tenantId, run.SetId, setCreatedAt, run.CasesJson, ct) is not { } results) return false;
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO evaluation_runs (tenant_id, run_id, set_id, model_id, purpose, summary, cases, created_by, created_at, status, cases_done, cases_total)
            VALUES (@t, @r, @s, @m, @p, @sum, @c, @b, @at, @st, @done, @total)
            """, connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", run.RunId);
        cmd.Parameters.AddWithValue("s", run.SetId);
        cmd.Parameters.AddWithValue("m", run.ModelId);
        cmd.Parameters.AddWithValue("p", run.Purpose);
        cmd.Parameters.Add(new NpgsqlParameter("sum", NpgsqlDbType.Jsonb) { Value = (object?)run.SummaryJson ?? DBNull.Value });
        cmd.Parameters.AddWithValue("st", run.Status);
        cmd.Parameters.AddWithValue("done", run.CasesDone);
        cmd.Parameters.AddWithValue("total", run.CasesTotal);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Jsonb) { Value = await SealAsync(tenantId, results, RunsTable, run.RunId, ct) });
        cmd.Parameters.AddWithValue("b", run.CreatedBy);
        cmd.Parameters.AddWithValue("at", run.CreatedAt);
        await cmd.ExecuteNonQueryAsync(ct);
        if (audit is not null) await AuditStore.AppendAsync(connection, tx, audit, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    // A run's results as they may be stored, read with its set's row share-locked until the caller's transaction ends;
    // null when the set (of that creation, when given) is gone. A user's erasure locks the set's row for update: either
    // it came first, and the cases it erased lose their question and answer here, or it waits for the results to be
    // stored and then erases them there. Either way no erased user's words survive in a run asked while they were erased.
    private async Task<string?> ResultsToStoreAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string tenantId, string setId, DateTimeOffset? setCreatedAt,
        string resultsJson, CancellationToken ct)
    {
        await using var read = new NpgsqlCommand("""
            SELECT cases #>> '{}' FROM evaluation_sets WHERE tenant_id = @t AND set_id = @s AND (@setAt::timestamptz IS NULL OR created_at = @setAt) FOR SHARE
            """, connection, tx);
        read.Parameters.AddWithValue("t", tenantId);
        read.Parameters.AddWithValue("s", setId);
        read.Parameters.Add(new NpgsqlParameter("setAt", NpgsqlDbType.TimestampTz) { Value = (object?)setCreatedAt ?? DBNull.Value });
        if (await read.ExecuteScalarAsync(ct) is not string stored) return null;
        return EvaluationErasure.WithoutErasedCases(await OpenAsync(tenantId, stored, SetsTable, setId, ct), resultsJson);
    }

    /// <summary>Records that a running run has asked <paramref name="done"/> cases; false when it is no longer running (or gone).</summary>
    public async Task<bool> ProgressRunAsync(string tenantId, string runId, int done, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE evaluation_runs SET cases_done = @d, heartbeat_at = now() WHERE tenant_id = @t AND run_id = @r AND status = 'running'
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", runId);
        cmd.Parameters.AddWithValue("d", done);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Says a running run's host is alive; false when the run is no longer running (or gone).</summary>
    public async Task<bool> HeartbeatRunAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE evaluation_runs SET heartbeat_at = now() WHERE tenant_id = @t AND run_id = @r AND status = 'running'
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", runId);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Completes a running run of the set <paramref name="setId"/> with its averages and results (those of cases erased
    /// meanwhile without their question and answer); false when it is no longer running (or gone).
    /// </summary>
    public async Task<bool> CompleteRunAsync(string tenantId, string runId, string setId, string summaryJson, string casesJson, int done, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A deleted set took its runs with it: nothing left to complete.
        if (await ResultsToStoreAsync(connection, tx, tenantId, setId, null, casesJson, ct) is not { } results) return false;
        await using var cmd = new NpgsqlCommand("""
            UPDATE evaluation_runs SET status = 'completed', summary = @sum, cases = @c, cases_done = @d, heartbeat_at = now()
            WHERE tenant_id = @t AND run_id = @r AND status = 'running'
            """, connection, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", runId);
        cmd.Parameters.AddWithValue("d", done);
        cmd.Parameters.Add(new NpgsqlParameter("sum", NpgsqlDbType.Jsonb) { Value = summaryJson });
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Jsonb) { Value = await SealAsync(tenantId, results, RunsTable, runId, ct) });
        var completed = await cmd.ExecuteNonQueryAsync(ct) == 1;
        await tx.CommitAsync(ct);
        return completed;
    }

    /// <summary>Ends a running run as <paramref name="status"/> (failed or cancelled) with the reason; false when it was not running.</summary>
    public async Task<bool> EndRunAsync(string tenantId, string runId, string status, string error, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE evaluation_runs SET status = @st, error = @e WHERE tenant_id = @t AND run_id = @r AND status = 'running'
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", runId);
        cmd.Parameters.AddWithValue("st", status);
        cmd.Parameters.AddWithValue("e", error);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    // A running run whose heartbeat stopped lost its host: said where runs are read, so no sweeper is needed.
    private async Task FailStaleRunsAsync(string tenantId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE evaluation_runs SET status = 'failed', error = @e
            WHERE tenant_id = @t AND status = 'running' AND heartbeat_at < now() - @stale
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("e", InterruptedRunError);
        cmd.Parameters.AddWithValue("stale", RunStaleAfter);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs of the tenant, newest first, of one set when given.</summary>
    public async Task<IReadOnlyList<EvaluationRunRecord>> ListRunsAsync(string tenantId, string? setId, int limit, CancellationToken ct = default)
    {
        await FailStaleRunsAsync(tenantId, ct);
        await using var cmd = db.CreateCommand("""
            SELECT run_id, set_id, model_id, purpose, summary::text, cases #>> '{}', created_by, created_at, status, cases_done, cases_total, error FROM evaluation_runs
            WHERE tenant_id = @t AND (@s::text IS NULL OR set_id = @s) ORDER BY created_at DESC LIMIT @l
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Text) { Value = (object?)setId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("l", limit);
        var list = new List<EvaluationRunRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(await ReadRunAsync(tenantId, r, ct));
        return list;
    }

    /// <summary>One run, or null.</summary>
    public async Task<EvaluationRunRecord?> GetRunAsync(string tenantId, string runId, CancellationToken ct = default)
    {
        await FailStaleRunsAsync(tenantId, ct);
        await using var cmd = db.CreateCommand("""
            SELECT run_id, set_id, model_id, purpose, summary::text, cases #>> '{}', created_by, created_at, status, cases_done, cases_total, error FROM evaluation_runs
            WHERE tenant_id = @t AND run_id = @r
            """);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("r", runId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? await ReadRunAsync(tenantId, r, ct) : null;
    }

    private async Task<EvaluationRunRecord> ReadRunAsync(string tenantId, NpgsqlDataReader r, CancellationToken ct) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            await OpenAsync(tenantId, r.GetString(5), RunsTable, r.GetString(0), ct), r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
            r.GetString(8), r.GetInt32(9), r.GetInt32(10), r.IsDBNull(11) ? null : r.GetString(11));
}
