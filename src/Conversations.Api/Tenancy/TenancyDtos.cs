namespace Conversations.Api.Tenancy;

/// <summary>Body of POST /v1/tenants.</summary>
public sealed record CreateTenantRequest(string? TenantId, string? Name, string? AdminUserId);

/// <summary>A created tenant with its first admin key (shown once).</summary>
public sealed record CreatedTenant(string TenantId, string Name, string AdminUserId, string AdminKey);

/// <summary>Body of POST /v1/users.</summary>
public sealed record CreateUserRequest(string? UserId, string? DisplayName, string? Role);

/// <summary>A user as the tenant admin sees it.</summary>
public sealed record UserDto(string UserId, string DisplayName, string Role, DateTimeOffset CreatedAt);

/// <summary>A newly issued key (the key text is shown once).</summary>
public sealed record IssuedKeyDto(string KeyId, string Key, string UserId, string Role);

/// <summary>A page of users.</summary>
public sealed record UserPage(IReadOnlyList<UserDto> Users, string? NextCursor);
