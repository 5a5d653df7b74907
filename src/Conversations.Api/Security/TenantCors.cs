using System.Text.Json.Serialization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Security;

/// <summary>Body of PUT /v1/tenant/cors-origins.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record CorsOriginsRequest(IReadOnlyList<string>? Origins);

/// <summary>A tenant's allowed web origins.</summary>
internal sealed record CorsOriginsDto(IReadOnlyList<string> Origins);

/// <summary>
/// Per-tenant CORS. A preflight carries no key, so it is answered for an origin that some tenant lists (it reveals
/// nothing about any tenant); the request itself gets CORS headers only when the caller's own tenant lists its origin.
/// Without an <c>Origin</c> header (server-to-server clients) nothing changes.
/// </summary>
internal sealed class TenantCorsPolicyProvider(ITenantCorsOrigins origins) : ICorsPolicyProvider
{
    // What a browser client reads and sends beside the basics: the turn's id, where a created thing is, when to retry;
    // a retry's turn id (Idempotency-Key) and the conversation a completion continues (X-Conversation-Id).
    private static readonly string[] ExposedHeaders = ["Turn-Id", "Location", "Retry-After", "X-Conversation-Id", "x-request-id", "x-should-retry"];
    // The official openai npm client in a browser sends its X-Stainless-* telemetry headers (and OpenAI-Organization /
    // -Project when set) on every call: a preflight that refused them would block it.
    private static readonly string[] AllowedHeaders = ["Authorization", "Content-Type", "Last-Event-ID", "Accept", "Idempotency-Key", "X-Conversation-Id",
        "X-Stainless-Retry-Count", "X-Stainless-Timeout", "X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-OS", "X-Stainless-Arch",
        "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Helper-Method", "X-Stainless-Poll-Helper", "X-Stainless-Async",
        "OpenAI-Organization", "OpenAI-Project", "OpenAI-Beta"];

    /// <inheritdoc />
    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length is 0 or > 300) return null;
        var preflight = HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey("Access-Control-Request-Method");
        var tenant = (context.Items[ApiKeyAuthenticationHandler.CallerItem] as ApiCaller)?.TenantId;
        if (!preflight && tenant is null) return null;
        if (!await origins.IsAllowedAsync(origin, preflight ? null : tenant, context.RequestAborted)) return null;
        var policy = new CorsPolicyBuilder().WithOrigins(origin).AllowAnyMethod().WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders).SetPreflightMaxAge(TimeSpan.FromMinutes(10)).Build();
        return policy;
    }
}

/// <summary>Registration and the admin routes of per-tenant CORS origins.</summary>
internal static class TenantCors
{
    private const int MaxOrigins = 50;

    /// <summary>Adds CORS with the per-tenant policy provider.</summary>
    public static IServiceCollection AddTenantCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddSingleton<ICorsPolicyProvider, TenantCorsPolicyProvider>();
        return services;
    }

    /// <summary>Maps GET and PUT <c>/v1/tenant/cors-origins</c> (tenant admin).</summary>
    public static RouteGroupBuilder MapTenantCorsApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/tenant/cors-origins").WithTags("Tenant administration").RequireRoles(Roles.TenantAdmin);
        admin.MapGet("/", Get).WithName("GetCorsOrigins").WithSummary("The web origins the tenant's browser clients may call the API from.");
        admin.MapPut("/", Put).WithName("PutCorsOrigins").WithSummary("Replaces the tenant's web origins (scheme://host[:port], at most 50).");
        return v1;
    }

    private static async Task<Ok<CorsOriginsDto>> Get(HttpContext http, ITenantCorsOrigins origins, CancellationToken ct) =>
        TypedResults.Ok(new CorsOriginsDto(await origins.GetAsync(http.Caller().TenantId!, ct)));

    private static async Task<Results<Ok<CorsOriginsDto>, ProblemHttpResult>> Put(CorsOriginsRequest body, HttpContext http, ITenantCorsOrigins origins, CancellationToken ct)
    {
        // Only an explicit [] clears the list: a missing field is a mistake, not that wish.
        if (body.Origins is not { } list) return Problems.BadRequest("origins is required, e.g. {\"origins\": [\"https://chat.example.com\"]}; [] removes them all.", "origins");
        if (list.Count > MaxOrigins) return Problems.BadRequest($"origins may list at most {MaxOrigins} origins.");
        var normalized = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var o in list)
        {
            if (Normalize(o) is not { } n)
                return Problems.BadRequest("Each origin is scheme://host[:port] with http or https, no path and no default port, e.g. https://chat.example.com.");
            normalized.Add(n);
        }
        var caller = http.Caller();
        await origins.SetAsync(caller.TenantId!, [.. normalized], caller.ToActor(http), ct);
        return TypedResults.Ok(new CorsOriginsDto([.. normalized]));
    }

    // An origin is what a browser sends: lower-case scheme and host, the port only when it is not the default.
    private static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 300) return null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) return null;
        var left = uri.GetLeftPart(UriPartial.Authority);
        if (uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0
            || !string.Equals(text.Trim().TrimEnd('/'), left, StringComparison.OrdinalIgnoreCase)) return null;
        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}
