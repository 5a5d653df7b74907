using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conversations.Storage.Encryption;
using Npgsql;
using NpgsqlTypes;

namespace Conversations.Storage.Audit;

/// <summary>
/// Replaces an erased id inside a tenant's sealed audit states, which the database's <c>audit_scrub</c> cannot read:
/// each sealed before/after is opened with the tenant's key, the id replaced where it is a whole value, an object's
/// member name or a path segment (as <c>audit_scrub</c> does in plain entries), and sealed again under its entry.
/// Runs in the erasure's transaction, before <c>audit_scrub</c> rewrites the targets older entries were bound to.
/// </summary>
internal static class SealedAuditScrub
{
    /// <summary>Scrubs <paramref name="id"/> from the tenant's sealed entries; returns how many entries changed.</summary>
    public static async Task<int> ScrubAsync(NpgsqlConnection conn, NpgsqlTransaction tx, TenantDataKey key, string tenantId, string id, string replacement, CancellationToken ct)
    {
        var rewritten = new List<(long Id, string? Before, string? After)>();
        await using (var read = new NpgsqlCommand("""
            SELECT id, action, target, before #>> '{}', after #>> '{}' FROM audit_log
            WHERE tenant_id = @t AND (jsonb_typeof(before) = 'string' OR jsonb_typeof(after) = 'string')
            ORDER BY id
            """, conn, tx))
        {
            read.Parameters.AddWithValue("t", tenantId);
            await using var r = await read.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var entryId = r.GetInt64(0);
                var (action, target) = (r.GetString(1), r.GetString(2));
                var before = Rewrite(key, r.IsDBNull(3) ? null : r.GetString(3), entryId, action, target, id, replacement);
                var after = Rewrite(key, r.IsDBNull(4) ? null : r.GetString(4), entryId, action, target, id, replacement);
                if (before.Changed || after.Changed) rewritten.Add((entryId, before.Value, after.Value));
            }
        }
        if (rewritten.Count == 0) return 0;
        await using (var on = new NpgsqlCommand("SELECT set_config('conversations.audit_erasure', 'on', true)", conn, tx)) await on.ExecuteNonQueryAsync(ct);
        foreach (var (entryId, before, after) in rewritten)
        {
            await using var update = new NpgsqlCommand(
                "UPDATE audit_log SET before = CASE WHEN @b::text IS NULL THEN before ELSE to_jsonb(@b::text) END, " +
                "after = CASE WHEN @a::text IS NULL THEN after ELSE to_jsonb(@a::text) END WHERE id = @id", conn, tx);
            update.Parameters.AddWithValue("id", entryId);
            update.Parameters.AddWithValue("b", NpgsqlDbType.Text, (object?)before ?? DBNull.Value);
            update.Parameters.AddWithValue("a", NpgsqlDbType.Text, (object?)after ?? DBNull.Value);
            await update.ExecuteNonQueryAsync(ct);
        }
        await using (var off = new NpgsqlCommand("SELECT set_config('conversations.audit_erasure', 'off', true)", conn, tx)) await off.ExecuteNonQueryAsync(ct);
        return rewritten.Count;
    }

    // A sealed state with the id replaced and sealed again under its entry, or unchanged (Value null: keep as stored).
    private static (bool Changed, string? Value) Rewrite(TenantDataKey key, string? stored, long entryId, string action, string target, string id, string replacement)
    {
        if (!TenantDataKey.IsSealed(stored)) return (false, null);
        string plain;
        try
        {
            plain = key.Open(stored!, AuditStore.SealTable, AuditStore.SealRow(entryId));
        }
        catch (CryptographicException)
        {
            try
            {
                plain = key.Open(stored!, AuditStore.SealTable, AuditStore.LegacySealRow(action, target));
            }
            catch (CryptographicException)
            {
                return (false, null); // not bound to this entry: nobody can open it
            }
        }
        if (!plain.Contains(id, StringComparison.Ordinal)) return (false, null);
        var node = Replace(JsonNode.Parse(plain), id, replacement);
        return (true, key.Seal(node?.ToJsonString() ?? "null", AuditStore.SealTable, AuditStore.SealRow(entryId)));
    }

    /// <summary><paramref name="node"/> with <paramref name="id"/> replaced in values, member names and path segments.</summary>
    internal static JsonNode? Replace(JsonNode? node, string id, string replacement)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                // An object that names the erased id (a created user, a request about them) loses their display name too.
                var names = o.Any(p => p.Value is JsonValue pv && pv.TryGetValue<string>(out var ps) && ps == id);
                foreach (var (name, value) in o)
                {
                    var newName = name == id ? replacement : name;
                    // Two members may become one name: the later keeps it (both named the erased id).
                    copy[newName] = names && name.Equals("displayName", StringComparison.OrdinalIgnoreCase) && value is not null
                        ? JsonValue.Create(replacement)
                        : Replace(value?.DeepClone(), id, replacement);
                }
                return copy;
            case JsonArray a:
                return new JsonArray(a.Select(x => Replace(x?.DeepClone(), id, replacement)).ToArray());
            case JsonValue v when v.TryGetValue<string>(out var s):
                return JsonValue.Create(s == id ? replacement : Segments(id).Replace(s, m => m.Groups[1].Value + replacement + m.Groups[2].Value));
            default:
                return node;
        }
    }

    private static Regex Segments(string id) => new("(^|[/:])" + Regex.Escape(id) + "($|/)", RegexOptions.CultureInvariant);
}
