using Conversations.Api.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Conversations.Api.Auth;

/// <summary>
/// Answers a failed authorization with the API's problem details: 401 with <c>WWW-Authenticate: Bearer</c> without a
/// valid key, 403 naming the roles the route's policy accepts for a key with another role.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            // The scheme answers: a 401 for a missing or bad key, a 429 while the address is refused lookups for
            // made-up keys (the key may be fine, so the client is told to wait, not that its key is revoked).
            if (policy.AuthenticationSchemes.Count == 0) await context.ChallengeAsync();
            else foreach (var scheme in policy.AuthenticationSchemes) await context.ChallengeAsync(scheme);
        }
        else if (authorizeResult.Forbidden)
        {
            var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct();
            await Problems.Forbidden(roles).ExecuteAsync(context);
        }
        else await next(context);
    }
}
