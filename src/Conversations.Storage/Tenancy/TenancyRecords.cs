namespace Conversations.Storage.Tenancy;

/// <summary>A tenant row.</summary>
public sealed record TenantRecord(string TenantId, string Name, DateTimeOffset CreatedAt);

/// <summary>A tenant row with how many users it has, as the operator's listing shows it.</summary>
public sealed record TenantListRecord(string TenantId, string Name, DateTimeOffset CreatedAt, long Users);

/// <summary>A user row of one tenant.</summary>
public sealed record UserRecord(string TenantId, string UserId, string DisplayName, string Role, DateTimeOffset CreatedAt);

/// <summary>What a valid API key stands for.</summary>
public sealed record ApiKeyIdentity(string KeyId, string? TenantId, string? UserId, string Role, string? Scope = null);

/// <summary>A newly issued key: <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedApiKey(string KeyId, string Key, string? TenantId, string? UserId, string Role);

/// <summary>A key as its owner and the tenant admin see it: never the secret or its hash.</summary>
public sealed record ApiKeyRecord(string KeyId, string UserId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, string? Scope = null);
