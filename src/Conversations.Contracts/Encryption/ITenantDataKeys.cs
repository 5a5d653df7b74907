namespace Conversations.Contracts.Encryption;

/// <summary>A tenant's data key as the operator sees it (never the key itself).</summary>
public sealed record TenantDataKeyInfo(string TenantId, string MasterKeyId, DateTimeOffset CreatedAt, DateTimeOffset? RewrappedAt, DateTimeOffset? DestroyedAt);

/// <summary>The operator's controls over tenants' data keys: master rotation and crypto-shredding.</summary>
public interface ITenantDataKeys
{
    /// <summary>Makes a new master key current and re-wraps every live data key with it (rows are not re-encrypted); returns the new master's id and how many keys were re-wrapped.</summary>
    Task<(string MasterKeyId, int Rewrapped)> RotateMasterAsync(CancellationToken ct = default);

    /// <summary>Destroys a tenant's data key: everything sealed with it becomes unreadable on every host within the key cache time. False when the tenant has no key.</summary>
    Task<bool> DestroyAsync(string tenantId, CancellationToken ct = default);

    /// <summary>The tenant's data key facts, or null when it has none yet.</summary>
    Task<TenantDataKeyInfo?> DescribeAsync(string tenantId, CancellationToken ct = default);
}
