using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;

namespace Conversations.Api.Auth;

/// <summary>Route conventions over the <c>ApiKey</c> scheme: an authorization policy per set of roles.</summary>
internal static class AuthorizationFilters
{
    private static readonly ConcurrentDictionary<string, AuthorizationPolicy> Policies = new(StringComparer.Ordinal);

    /// <summary>Lets only keys with one of <paramref name="roles"/> through; 401 without a valid key, 403 with the wrong role.</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PolicyFor(roles));

    /// <summary>The policy that admits an authenticated key with one of <paramref name="roles"/>.</summary>
    public static AuthorizationPolicy PolicyFor(params string[] roles) => Policies.GetOrAdd(string.Join(',', roles), _ =>
        new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().RequireRole(roles).Build());

    /// <summary>The caller the <c>ApiKey</c> scheme authenticated.</summary>
    public static ApiCaller Caller(this HttpContext http) =>
        http.Items[ApiKeyAuthenticationHandler.CallerItem] as ApiCaller ?? throw new InvalidOperationException("Route is missing RequireRoles.");
}
