using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Conversations.Contracts;

namespace Conversations.Api.Tenancy;

/// <summary>Body of POST /v1/tenants.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTenantRequest(
    [Required(ErrorMessage = TenancyMessages.TenantId), RegularExpression(Ids.TenantIdPattern, ErrorMessage = TenancyMessages.TenantIdFormat)] string? TenantId,
    [MaxLength(200, ErrorMessage = "name may have at most 200 characters.")] string? Name,
    [RegularExpression(Ids.IdPattern, ErrorMessage = TenancyMessages.AdminUserId)] string? AdminUserId);

/// <summary>A created tenant with its first admin key (shown once).</summary>
public sealed record CreatedTenant(string TenantId, string Name, string AdminUserId, string AdminKey);

/// <summary>A tenant as the operator's listing shows it.</summary>
public sealed record TenantDto(string TenantId, string Name, DateTimeOffset CreatedAt, long Users);

/// <summary>A page of tenants by id; <see cref="NextCursor"/> continues it (null on the last page).</summary>
public sealed record TenantPage(IReadOnlyList<TenantDto> Tenants, string? NextCursor);

/// <summary>Body of POST /v1/users.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest(
    [Required(ErrorMessage = TenancyMessages.UserId), RegularExpression(Ids.IdPattern, ErrorMessage = TenancyMessages.UserIdFormat)] string? UserId,
    [MaxLength(200, ErrorMessage = "displayName may have at most 200 characters.")] string? DisplayName,
    [AllowedValues(Roles.User, Roles.TenantAdmin, null, ErrorMessage = TenancyMessages.Role)] string? Role);

/// <summary>A user as the tenant admin sees it.</summary>
public sealed record UserDto(string UserId, string DisplayName, string Role, DateTimeOffset CreatedAt);

/// <summary>A newly issued key (the key text is shown once) and the scope it was granted (its role's full one when none was asked).</summary>
public sealed record IssuedKeyDto(string KeyId, string Key, string UserId, string Role, string Scope);

/// <summary>A rotated key: the successor (its text shown once) and until when the old key still works.</summary>
public sealed record RotatedKeyDto(string KeyId, string Key, string UserId, string Role, string OldKeyId, DateTimeOffset OldKeyExpiresAt);

/// <summary>A page of users.</summary>
public sealed record UserPage(IReadOnlyList<UserDto> Users, string? NextCursor);

/// <summary>A key as its owner and the tenant admin see it: never the secret or its hash.</summary>
/// <remarks><see cref="Scope"/>: <c>chat</c>, <c>read-only</c> or <c>admin</c>; absent for a key that may do all its role allows.</remarks>
public sealed record ApiKeyDto(string KeyId, string UserId, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt, string? Scope = null);

/// <summary>A user's keys that are not revoked, newest first.</summary>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyDto> Keys);

/// <summary>The messages of the tenancy bodies' checks, shared by the attributes and the handlers.</summary>
internal static class TenancyMessages
{
    /// <summary>A missing tenant id.</summary>
    public const string TenantId = "tenantId is required: 2–63 characters, lower-case letters, digits and '-', starting with a letter or digit.";

    /// <summary>A malformed tenant id.</summary>
    public const string TenantIdFormat = "tenantId must be 2–63 characters: lower-case letters, digits and '-', starting with a letter or digit.";

    /// <summary>A malformed admin user id.</summary>
    public const string AdminUserId = "adminUserId may use letters, digits, '.', '_', '-' and '@' (1–64 characters).";

    /// <summary>A missing user id.</summary>
    public const string UserId = "userId is required: letters, digits, '.', '_', '-' and '@' (1–64 characters).";

    /// <summary>A malformed user id.</summary>
    public const string UserIdFormat = "userId may use only letters, digits, '.', '_', '-' and '@' (1–64 characters).";
    public const string UserIdIsKeyId = "userId is the id of one of this tenant's API keys: choose another, since a user's erasure replaces their id wherever the audit trail names it.";
    public const string UserIdReserved = "userId may not start with 'c_', 'b_' or 'exp_': the platform names conversations, batches and exports so, and a user's erasure must never reach one of them.";

    /// <summary>An unknown role.</summary>
    public const string Role = "role must be 'user' or 'tenant_admin'.";
}
