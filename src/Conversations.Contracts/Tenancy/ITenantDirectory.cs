namespace Conversations.Contracts.Tenancy;

/// <summary>A user of one tenant.</summary>
public sealed record TenantUser(string UserId, string DisplayName, string Role, DateTimeOffset CreatedAt);

/// <summary>A tenant as the operator's listing shows it.</summary>
public sealed record TenantSummary(string TenantId, string Name, DateTimeOffset CreatedAt, long Users);

/// <summary>A newly issued key; <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedKey(string KeyId, string Key, string UserId, string Role);

/// <summary>A key as its owner and the tenant admin see it: never the secret or its hash.</summary>
public sealed record ApiKeyInfo(string KeyId, string UserId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, string? Scope = null);

/// <summary>Tenants, their users and API keys. A host service over the tenancy tables; every user and key call is scoped by tenant.</summary>
public interface ITenantDirectory
{
    /// <summary>
    /// Opens a tenant: its row, its first admin <paramref name="adminUserId"/>, that admin's key, and the tenant's name in
    /// its settings. Null when the id is taken.
    /// </summary>
    Task<IssuedKey?> OpenTenantAsync(string tenantId, string name, string adminUserId, CancellationToken ct);

    /// <summary>Creates only the tenant row; false when the id is taken.</summary>
    Task<bool> CreateTenantAsync(string tenantId, string name, CancellationToken ct);

    /// <summary>Tenants by id after <paramref name="afterTenantId"/>; <paramref name="search"/> keeps those whose id or name contains it.</summary>
    Task<IReadOnlyList<TenantSummary>> ListTenantsAsync(string? afterTenantId, string? search, int limit, CancellationToken ct);

    /// <summary>Whether the tenant exists.</summary>
    Task<bool> TenantExistsAsync(string tenantId, CancellationToken ct);

    /// <summary>Creates a user of the tenant; false when the id is taken in that tenant.</summary>
    Task<bool> CreateUserAsync(string tenantId, string userId, string displayName, string role, CancellationToken ct);

    /// <summary>The user of this tenant, or null.</summary>
    Task<TenantUser?> GetUserAsync(string tenantId, string userId, CancellationToken ct);

    /// <summary>The tenant's users by id, after <paramref name="afterUserId"/>.</summary>
    Task<IReadOnlyList<TenantUser>> ListUsersAsync(string tenantId, string? afterUserId, int limit, CancellationToken ct);

    /// <summary>Issues a new key for a user of the tenant with the user's role; null when there is no such user.</summary>
    Task<IssuedKey?> IssueKeyAsync(string tenantId, string userId, CancellationToken ct);

    /// <summary>Issues a key that stops working at <paramref name="expiresAt"/> (never when null); null when there is no such user.</summary>
    Task<IssuedKey?> IssueKeyAsync(string tenantId, string userId, DateTimeOffset? expiresAt, CancellationToken ct);

    /// <summary>The user's keys that are not revoked, newest first; null when the tenant has no such user.</summary>
    Task<IReadOnlyList<ApiKeyInfo>?> ListKeysAsync(string tenantId, string userId, CancellationToken ct);

    /// <summary>Stores a key whose text is fixed by configuration (operator and demo keys); nothing happens when it is there.</summary>
    Task EnsureKeyAsync(string key, string? tenantId, string? userId, string role, CancellationToken ct);

    /// <summary>
    /// Makes the configured key the platform's operator key: stored, its secret replaced when configuration changed it,
    /// and every other operator key revoked. Returns how many earlier operator keys stopped working.
    /// </summary>
    Task<int> ConfigureOperatorKeyAsync(string key, CancellationToken ct);

    /// <summary>True when <paramref name="id"/> names one of the tenant's keys, live or not (a user may not take that name).</summary>
    Task<bool> IsKeyIdAsync(string tenantId, string id, CancellationToken ct);

    /// <summary>Revokes a key of the tenant; false when there is no such key.</summary>
    Task<bool> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct);
}
