namespace Conversations.Contracts.Knowledge;

/// <summary>A role: the roles it includes (a manager includes staff) and the labels granted to it directly.</summary>
[GenerateSerializer, Immutable, Alias("kb-role")]
public sealed record RoleDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyList<string> Includes,
    [property: Id(2)] IReadOnlyList<string> Labels);

/// <summary>A user's directly assigned roles.</summary>
[GenerateSerializer, Immutable, Alias("kb-user-roles")]
public sealed record UserRoles([property: Id(0)] string UserId, [property: Id(1)] IReadOnlyList<string> Roles);

/// <summary>A tenant's whole ACL at one version.</summary>
[GenerateSerializer, Immutable, Alias("kb-acl")]
public sealed record AclView(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<RoleDefinition> Roles,
    [property: Id(2)] IReadOnlyList<UserRoles> Users);

/// <summary>What one user may read at one ACL version: label names and their per-tenant ids.</summary>
[GenerateSerializer, Immutable, Alias("kb-user-access")]
public sealed record UserAccess(
    [property: Id(0)] long AclVersion,
    [property: Id(1)] IReadOnlyList<string> Labels,
    [property: Id(2)] IReadOnlyList<short> LabelIds);

/// <summary>The answer of a re-check: which of the asked label ids the user may read at <see cref="AclVersion"/>.</summary>
[GenerateSerializer, Immutable, Alias("kb-access-check")]
public sealed record AccessCheck([property: Id(0)] long AclVersion, [property: Id(1)] IReadOnlyList<short> ReadableLabelIds);
