using Conversations.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Conversations.Api.OpenApi;

/// <summary>
/// The document's bearer security scheme, and a requirement on every operation whose endpoint has an authorization
/// policy (read from the endpoint's metadata); anonymous routes get none.
/// </summary>
internal static class BearerSecurity
{
    /// <summary>The scheme's name in <c>components.securitySchemes</c>.</summary>
    public const string SchemeName = "Bearer";

    /// <summary>True when the endpoint needs an authenticated caller.</summary>
    public static bool IsSecured(IList<object> metadata) =>
        (metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any()) && !metadata.OfType<IAllowAnonymous>().Any();

    /// <summary>Operation transformer: adds the scheme (once) and the operation's requirement.</summary>
    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (!IsSecured(context.Description.ActionDescriptor.EndpointMetadata) || context.Document is not { } document) return Task.CompletedTask;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "cvk_<id>_<secret>",
            Description = $"An API key as 'Authorization: Bearer cvk_…' (authentication scheme '{ApiKeyAuthenticationHandler.SchemeName}'). " +
                "Its role (operator, tenant_admin, user) decides which operations it may call.",
        });
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}
