using Conversations.Contracts.Audit;

namespace Conversations.Contracts.Tenancy;

/// <summary>A rotation's result: the new key (shown once) and until when the old one still works.</summary>
public sealed record RotatedKey(IssuedKey NewKey, string OldKeyId, DateTimeOffset OldKeyExpiresAt);

/// <summary>
/// A key that was already rotated is not rotated again: a second successor (a double click, two admins at once) would be
/// a live key nobody meant to hand out.
/// </summary>
public sealed class KeyAlreadyRotatedException(string keyId, string successorKeyId)
    : InvalidOperationException($"Key '{keyId}' was already rotated; its successor is '{successorKeyId}'.")
{
    /// <summary>The key that was rotated before.</summary>
    public string KeyId { get; } = keyId;

    /// <summary>The key it was rotated to.</summary>
    public string SuccessorKeyId { get; } = successorKeyId;
}

/// <summary>A revocation refused because the key is the tenant's last live admin key: nobody could administer the tenant after it.</summary>
public sealed class LastAdminKeyException(string keyId)
    : InvalidOperationException($"Key '{keyId}' is the tenant's last working admin key: revoking it would leave nobody able to administer the tenant. Issue another admin key first (POST /v1/users/{{userId}}/keys), then revoke this one.")
{
    /// <summary>The key that was not revoked.</summary>
    public string KeyId { get; } = keyId;
}

/// <summary>Issue, revoke and rotate a tenant's keys; each change is written to the audit log in its own transaction.</summary>
public interface IKeyLifecycle
{
    /// <summary>Issues a key for a user of the tenant; null when there is no such user.</summary>
    Task<IssuedKey?> IssueAsync(string tenantId, string userId, string? scope, DateTimeOffset? expiresAt, AuditActor actor, CancellationToken ct);

    /// <summary>Revokes a key of the tenant; false when there is no such live key.</summary>
    Task<bool> RevokeAsync(string tenantId, string keyId, AuditActor actor, CancellationToken ct);

    /// <summary>
    /// Issues a successor with the same user, role, scope and expiry, and lets the old key work for <paramref name="overlap"/>
    /// more (never longer than it had); null when there is no such live key. A key rotated before throws
    /// <see cref="KeyAlreadyRotatedException"/>.
    /// </summary>
    Task<RotatedKey?> RotateAsync(string tenantId, string keyId, TimeSpan overlap, AuditActor actor, CancellationToken ct);
}
