using Conversations.Contracts.Audit;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Conversations.Storage.Tenancy;

namespace Conversations.Grains.DataRights;

/// <summary>Key issue, revoke and rotate over the key table, each with its audit entry in the same transaction.</summary>
internal sealed class KeyLifecycle(KeyLifecycleStore store) : IKeyLifecycle
{
    /// <inheritdoc />
    public async Task<IssuedKey?> IssueAsync(string tenantId, string userId, string? scope, DateTimeOffset? expiresAt, AuditActor actor, CancellationToken ct) =>
        await store.IssueAsync(tenantId, userId, scope, expiresAt, Who(actor), ct) is { } k ? new IssuedKey(k.KeyId, k.Key, k.UserId!, k.Role) : null;

    /// <inheritdoc />
    public Task<bool> RevokeAsync(string tenantId, string keyId, AuditActor actor, CancellationToken ct) => store.RevokeAsync(tenantId, keyId, Who(actor), ct);

    /// <inheritdoc />
    public async Task<RotatedKey?> RotateAsync(string tenantId, string keyId, TimeSpan overlap, AuditActor actor, CancellationToken ct) =>
        await store.RotateAsync(tenantId, keyId, overlap, Who(actor), ct) is { } r
            ? new RotatedKey(new IssuedKey(r.NewKey.KeyId, r.NewKey.Key, r.NewKey.UserId!, r.NewKey.Role), keyId, r.OldExpiresAt)
            : null;

    private static AuditWho Who(AuditActor a) => new(a.KeyId, a.UserId, a.ClientAddress);
}
