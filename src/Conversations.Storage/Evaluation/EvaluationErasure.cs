using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Evaluation;

/// <summary>
/// A deleted user's words in evaluation data. A case asked as the user (one made from their thumbs-down holds their own
/// question) keeps its place in its set, since runs name cases by index, with its question and user replaced; every
/// stored run's copy of that case loses its question and answer. Sets and runs are sealed, so this runs in C#, inside
/// the erasure's transaction. A run asking the case meanwhile stores its results against the set as it is then
/// (<see cref="WithoutErasedCases"/>), so the erased words never reach it either.
/// </summary>
internal static class EvaluationErasure
{
    /// <summary>What an erased question, answer or user id reads.</summary>
    public const string Deleted = "(deleted)";

    private const string SetsTable = "evaluation_sets";
    private const string RunsTable = "evaluation_runs";

    public static async Task EraseUserAsync(NpgsqlConnection conn, NpgsqlTransaction tx, TenantDataKey key, string tenantId, string userId, CancellationToken ct)
    {
        var erased = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var row in await ReadAsync(conn, tx, "SELECT set_id, cases #>> '{}' FROM evaluation_sets WHERE tenant_id = @t FOR UPDATE", tenantId, null, ct))
        {
            var (setId, stored) = (row[0], row[1]);
            var cases = JsonNode.Parse(key.Open(stored, SetsTable, setId))!.AsArray();
            var hit = new HashSet<int>();
            for (var i = 0; i < cases.Count; i++)
            {
                if (cases[i] is not JsonObject c || c["userId"]?.GetValue<string>() != userId) continue;
                c["userId"] = Deleted;
                c["question"] = Deleted;
                hit.Add(i);
            }
            if (hit.Count == 0) continue;
            erased[setId] = hit;
            await WriteAsync(conn, tx, "UPDATE evaluation_sets SET cases = @c WHERE tenant_id = @t AND set_id = @id",
                tenantId, setId, key.Seal(cases.ToJsonString(), SetsTable, setId), ct);
        }
        if (erased.Count == 0) return;

        var runs = await ReadAsync(conn, tx, "SELECT run_id, set_id, cases #>> '{}' FROM evaluation_runs WHERE tenant_id = @t AND set_id = ANY(@s) FOR UPDATE",
            tenantId, [.. erased.Keys], ct);
        foreach (var row in runs)
        {
            var (runId, setId, stored) = (row[0], row[1], row[2]);
            var results = JsonNode.Parse(key.Open(stored, RunsTable, runId))!.AsArray();
            if (EraseResults(results, erased[setId]))
                await WriteAsync(conn, tx, "UPDATE evaluation_runs SET cases = @c WHERE tenant_id = @t AND run_id = @id",
                    tenantId, runId, key.Seal(results.ToJsonString(), RunsTable, runId), ct);
        }
    }

    /// <summary>
    /// A run's results (JSON) as they may be stored next to its set's cases (JSON) as they are now: the results of cases
    /// erased while the run was asking them lose their question and answer, as an erasure does to stored runs.
    /// </summary>
    public static string WithoutErasedCases(string setCasesJson, string resultsJson)
    {
        var cases = JsonNode.Parse(setCasesJson)!.AsArray();
        var erased = Enumerable.Range(0, cases.Count).Where(i => cases[i] is JsonObject c && c["userId"]?.GetValue<string>() == Deleted).ToHashSet();
        var results = JsonNode.Parse(resultsJson)!.AsArray();
        return EraseResults(results, erased) ? results.ToJsonString() : resultsJson;
    }

    // The results of the erased cases (by index) lose their question and answer; true when any did.
    private static bool EraseResults(JsonArray results, HashSet<int> erased)
    {
        var changed = false;
        foreach (var result in results.OfType<JsonObject>())
        {
            if (result["index"]?.GetValue<int>() is not { } index || !erased.Contains(index)) continue;
            result["question"] = Deleted;
            result["answer"] = Deleted;
            changed = true;
        }
        return changed;
    }

    // Rows of text columns, read whole before the updates (one reader per connection at a time).
    private static async Task<List<string[]>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, string tenantId,
        string[]? setIds, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        if (setIds is not null) cmd.Parameters.AddWithValue("s", setIds);
        var rows = new List<string[]>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add([.. Enumerable.Range(0, r.FieldCount).Select(r.GetString)]);
        return rows;
    }

    private static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, string tenantId, string id, string sealedJson, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddWithValue("t", tenantId);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(sealedJson) });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
