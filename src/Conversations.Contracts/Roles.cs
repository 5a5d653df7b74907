namespace Conversations.Contracts;

/// <summary>The roles an API key can carry.</summary>
public static class Roles
{
    /// <summary>Runs the platform: creates tenants.</summary>
    public const string Operator = "operator";
    /// <summary>Administers one tenant: users, keys, settings, knowledge, policies.</summary>
    public const string TenantAdmin = "tenant_admin";
    /// <summary>An end user of one tenant.</summary>
    public const string User = "user";

    /// <summary>True for roles a tenant user may hold.</summary>
    public static bool IsTenantRole(string role) => role is TenantAdmin or User;
}
