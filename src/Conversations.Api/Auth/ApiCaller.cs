using Conversations.Contracts;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Auth;

/// <summary>The authenticated caller of a request, from its API key.</summary>
internal sealed record ApiCaller(string KeyId, string? TenantId, string? UserId, string Role, string? Scope = null)
{
    /// <summary>The caller as grains see it; only for tenant roles.</summary>
    public Caller ToCaller() => new(
        TenantId ?? throw new InvalidOperationException("Operator keys do not act inside a tenant."),
        UserId ?? throw new InvalidOperationException("The key names no user."),
        Role);

    /// <summary>True for a key that may only read (GET routes).</summary>
    public bool IsReadOnly => Scope == KeyScopes.ReadOnly;

    /// <summary>The caller as the audit log names it.</summary>
    public Conversations.Contracts.Audit.AuditActor ToActor(HttpContext http) =>
        new(KeyId, UserId, http.Connection.RemoteIpAddress?.ToString());

    /// <summary>True for a tenant admin.</summary>
    public bool IsTenantAdmin => Role == Roles.TenantAdmin;
}
