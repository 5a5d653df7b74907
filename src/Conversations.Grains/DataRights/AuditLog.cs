using System.Text.Json.Nodes;
using Conversations.Contracts.Audit;
using Conversations.Storage.Audit;

namespace Conversations.Grains.DataRights;

/// <summary>The audit log over its table.</summary>
internal sealed class AuditLog(AuditStore store) : IAuditLog
{
    /// <inheritdoc />
    public Task AppendAsync(string? tenantId, AuditActor actor, string action, string target, JsonNode? before, JsonNode? after, CancellationToken ct) =>
        store.AppendAsync(tenantId, new AuditWho(actor.KeyId, actor.UserId, actor.ClientAddress), action, target, before, after, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery q, CancellationToken ct) =>
        (await store.QueryAsync(new AuditFilter(q.TenantId, q.Action, q.ActorKeyId, q.Since, q.Until, q.BeforeId, q.Limit), ct))
        .Select(r => new AuditEntry(r.Id, r.TenantId, r.At, r.ActorKeyId, r.ActorUserId, r.ClientAddress, r.Action, r.Target, r.Before, r.After))
        .ToList();

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> CountAsync(string? tenantId, DateTimeOffset since, DateTimeOffset until, CancellationToken ct) =>
        (await store.CountAsync(tenantId, since, until, ct)).ToDictionary(c => c.Action, c => c.Count, StringComparer.Ordinal);
}
