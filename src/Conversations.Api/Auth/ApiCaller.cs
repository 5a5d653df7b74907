using Conversations.Contracts;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Auth;

/// <summary>The authenticated caller of a request, from its API key.</summary>
internal sealed record ApiCaller(string KeyId, string? TenantId, string? UserId, string Role)
{
    /// <summary>The caller as grains see it; only for tenant roles.</summary>
    public Caller ToCaller() => new(
        TenantId ?? throw new InvalidOperationException("Operator keys do not act inside a tenant."),
        UserId ?? throw new InvalidOperationException("The key names no user."),
        Role);

    /// <summary>True for a tenant admin.</summary>
    public bool IsTenantAdmin => Role == Roles.TenantAdmin;
}
