using Conversations.Api.Errors;
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
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.Unauthorized().ExecuteAsync(context);
        }
        else if (authorizeResult.Forbidden)
        {
            var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct();
            await Problems.Forbidden(roles).ExecuteAsync(context);
        }
        else await next(context);
    }
}
