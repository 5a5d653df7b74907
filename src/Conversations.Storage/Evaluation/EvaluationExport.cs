using System.Text.Json.Nodes;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Evaluation;

/// <summary>
/// The evaluation cases of an export: every case of the tenant's sets (a user's export: those asked as the user), each
/// with its answers in the stored runs of its set. Sets and runs are sealed, so the cases are picked in C#.
/// </summary>
internal static class EvaluationExport
{
    private const string SetsTable = "evaluation_sets";
    private const string RunsTable = "evaluation_runs";

    /// <summary>One JSON line per case: set id and name, case index, question, user, role, facts, sources, and its answers.</summary>
    public static async Task<IReadOnlyList<string>> ReadCasesAsync(NpgsqlDataSource db, TenantDataKey key, string tenantId, string? userId, CancellationToken ct)
    {
        var lines = new List<string>();
        var picked = new List<(string SetId, string Name, int Index, JsonObject Case)>();
        await using (var sets = db.CreateCommand("SELECT set_id, name, cases #>> '{}' FROM evaluation_sets WHERE tenant_id = @t ORDER BY created_at, set_id"))
        {
            sets.Parameters.AddWithValue("t", tenantId);
            await using var r = await sets.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var cases = JsonNode.Parse(key.Open(r.GetString(2), SetsTable, r.GetString(0)))!.AsArray();
                for (var i = 0; i < cases.Count; i++)
                    if (cases[i] is JsonObject c && (userId is null || c["userId"]?.GetValue<string>() == userId))
                        picked.Add((r.GetString(0), r.GetString(1), i, c));
            }
        }
        if (picked.Count == 0) return lines;

        var answers = new Dictionary<(string SetId, int Index), JsonArray>();
        await using (var runs = db.CreateCommand("""
            SELECT run_id, set_id, model_id, purpose, created_at, cases #>> '{}' FROM evaluation_runs
            WHERE tenant_id = @t AND set_id = ANY(@s) AND status = 'completed' ORDER BY created_at, run_id
            """))
        {
            runs.Parameters.AddWithValue("t", tenantId);
            runs.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = picked.Select(p => p.SetId).Distinct().ToArray() });
            await using var r = await runs.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var (runId, setId) = (r.GetString(0), r.GetString(1));
                foreach (var result in JsonNode.Parse(key.Open(r.GetString(5), RunsTable, runId))!.AsArray().OfType<JsonObject>())
                {
                    if (result["index"]?.GetValue<int>() is not { } index || !picked.Any(p => p.SetId == setId && p.Index == index)) continue;
                    if (!answers.TryGetValue((setId, index), out var list)) answers[(setId, index)] = list = [];
                    list.Add(new JsonObject
                    {
                        ["run_id"] = runId, ["model_id"] = r.GetString(2), ["purpose"] = r.GetString(3), ["created_at"] = r.GetFieldValue<DateTimeOffset>(4),
                        ["answer"] = result["answer"]?.DeepClone(), ["error_code"] = result["errorCode"]?.DeepClone(),
                    });
                }
            }
        }
        foreach (var (setId, name, index, c) in picked)
        {
            lines.Add(new JsonObject
            {
                ["set_id"] = setId, ["set_name"] = name, ["case_index"] = index, ["question"] = c["question"]?.DeepClone(),
                ["user_id"] = c["userId"]?.DeepClone(), ["role"] = c["role"]?.DeepClone(), ["facts"] = c["facts"]?.DeepClone(),
                ["sources"] = c["sources"]?.DeepClone(), ["answers"] = answers.TryGetValue((setId, index), out var list) ? list : new JsonArray(),
            }.ToJsonString());
        }
        return lines;
    }
}
