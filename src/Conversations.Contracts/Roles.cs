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

/// <summary>
/// What a key may do within its role: <c>chat</c> (a tenant admin's key that only chats), <c>read-only</c> (reads, no
/// change and no sends), <c>admin</c> (everything a tenant admin may), <c>operator</c>. A key without a scope may do all
/// its role allows.
/// </summary>
public static class KeyScopes
{
    /// <summary>Chat and the user's own routes; admin routes are refused even for an admin's key.</summary>
    public const string Chat = "chat";
    /// <summary>GET routes only.</summary>
    public const string ReadOnly = "read-only";
    /// <summary>Tenant administration.</summary>
    public const string Admin = "admin";
    /// <summary>The platform's operator.</summary>
    public const string Operator = "operator";

    /// <summary>What a key of <paramref name="role"/> with <paramref name="scope"/> may do, named: a key without a scope has its role's full one.</summary>
    public static string Effective(string role, string? scope) => scope ?? role switch
    {
        Roles.Operator => Operator,
        Roles.TenantAdmin => Admin,
        _ => Chat,
    };

    /// <summary>True when a key of <paramref name="role"/> may carry <paramref name="scope"/>.</summary>
    public static bool IsAllowed(string role, string scope) => role switch
    {
        Roles.Operator => scope is Operator or ReadOnly,
        Roles.TenantAdmin => scope is Admin or Chat or ReadOnly,
        Roles.User => scope is Chat or ReadOnly,
        _ => false,
    };
}
