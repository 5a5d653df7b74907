using Conversations.Api.Errors;

namespace Conversations.Api.Auth;

/// <summary>Route-group filters: authenticate the key, then require one of the given roles.</summary>
public static class AuthorizationFilters
{
    private const string CallerItem = "conversations.caller";

    /// <summary>Lets only keys with one of <paramref name="roles"/> through; 401 without a valid key, 403 with the wrong role.</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var auth = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
            var caller = await auth.AuthenticateAsync(http.Request, http.RequestAborted);
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Problems.Unauthorized();
            }
            if (!roles.Contains(caller.Role)) return Problems.Forbidden(roles);
            http.Items[CallerItem] = caller;
            return await next(context);
        });

    /// <summary>The caller the filter authenticated.</summary>
    public static ApiCaller Caller(this HttpContext http) =>
        http.Items[CallerItem] as ApiCaller ?? throw new InvalidOperationException("Route is missing RequireRoles.");
}
