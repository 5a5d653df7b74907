using Conversations.Contracts;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Auth;

/// <summary>
/// Resolves bearer keys to callers with one indexed lookup per request (a primary-key read of a prepared statement),
/// and no cache: a revoke, an expiry or the end of a rotation's overlap holds from the next request on every API host.
/// </summary>
internal sealed class ApiKeyAuthenticator(IApiKeyLookup keys)
{
    /// <summary>The caller for the request's <c>Authorization: Bearer</c> key, or null.</summary>
    public async ValueTask<ApiCaller?> AuthenticateAsync(HttpRequest request, CancellationToken ct)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var key = header["Bearer ".Length..].Trim();
        if (key.Length == 0) return null;
        if (await keys.ResolveAsync(key, ct) is not { } identity) return null;
        // A chat-scoped admin key acts as a user: the admin routes' role policy refuses it.
        var role = identity.Scope == KeyScopes.Chat && identity.Role == Roles.TenantAdmin ? Roles.User : identity.Role;
        return new ApiCaller(identity.KeyId, identity.TenantId, identity.UserId, role, identity.Scope);
    }
}
