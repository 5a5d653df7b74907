namespace Conversations.Grains.Knowledge;

/// <summary>The persisted ACL of one tenant: small (roles, users' role names, grants), rewritten whole on each edit.</summary>
[GenerateSerializer, Alias("tenant-acl-state")]
internal sealed class TenantAclState
{
    /// <summary>Bumped on every edit; retrieval results carry the version they were filtered at.</summary>
    [Id(0)] public long Version { get; set; }
    /// <summary>Role → roles it includes.</summary>
    [Id(1)] public Dictionary<string, List<string>> RoleIncludes { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Role → labels granted to it.</summary>
    [Id(2)] public Dictionary<string, List<string>> RoleLabels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>User → roles.</summary>
    [Id(3)] public Dictionary<string, List<string>> UserRoles { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Label → its per-tenant small integer id (never changes once assigned).</summary>
    [Id(4)] public Dictionary<string, short> LabelIds { get; set; } = new(StringComparer.Ordinal);
}
