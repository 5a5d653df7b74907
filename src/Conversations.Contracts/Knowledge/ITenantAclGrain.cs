using Orleans.Concurrency;

namespace Conversations.Contracts.Knowledge;

/// <summary>
/// One tenant's access rules, key <c>{tenant}</c>: roles, role hierarchy, user→roles, role→labels, and a version that
/// changes on every edit. Invalid edits (unknown roles, cycles, bad names) throw <see cref="ArgumentException"/>.
/// </summary>
[Alias("tenant-acl")]
public interface ITenantAclGrain : IGrainWithStringKey
{
    /// <summary>The whole ACL.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<AclView> GetAsync();

    /// <summary>Defines or replaces a role (its includes must exist; no cycles); returns the new version.</summary>
    [Alias("put-role")]
    Task<long> PutRoleAsync(RoleDefinition role);

    /// <summary>Deletes a role no other role includes; null when it did not exist, else the new version.</summary>
    [Alias("delete-role")]
    Task<long?> DeleteRoleAsync(string role);

    /// <summary>Grants a label to a role; returns the version after the edit.</summary>
    [Alias("grant")]
    Task<long> GrantAsync(string role, string label);

    /// <summary>Revokes a label from a role; null when the role did not hold it (or does not exist), else the new version.</summary>
    [Alias("revoke")]
    Task<long?> RevokeAsync(string role, string label);

    /// <summary>Replaces a user's roles (empty removes them all); returns the new version.</summary>
    [Alias("set-user-roles")]
    Task<long> SetUserRolesAsync(string userId, IReadOnlyList<string> roles);

    /// <summary>The labels the user may read now, from the cached role closure.</summary>
    [ReadOnly]
    [Alias("user-access")]
    Task<UserAccess> GetUserAccessAsync(string userId);

    /// <summary>Re-checks retrieved rows: which of <paramref name="labelIds"/> the user may read now.</summary>
    [ReadOnly]
    [Alias("filter-readable")]
    Task<AccessCheck> FilterReadableAsync(string userId, IReadOnlyList<short> labelIds);
}
