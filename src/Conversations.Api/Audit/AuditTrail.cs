using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Api.Auth;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Conversations.Api.Audit;

/// <summary>
/// Records every successful change made through an admin or operator route (the route's name, its path and the request
/// body with secret-looking fields replaced), every refused access (403), and refuses changes by read-only keys.
/// Changes whose store writes its own entry in the change's transaction (keys, user and tenant deletion, exports) are
/// left to it.
/// </summary>
internal static partial class AuditTrail
{
    private const int MaxBodyBytes = 64 * 1024;

    // These routes' stores write the entry in the same transaction as the change.
    private static readonly HashSet<string> RecordedByStore = new(StringComparer.Ordinal)
    {
        "IssueKey", "RotateKey", "RevokeKey", "DeleteUser", "DeleteTenant", "StartExport", "PutCorsOrigins",
    };

    // These routes' bodies are content (documents), not settings: the entry names the route, not the text.
    private static readonly HashSet<string> ContentBodies = new(StringComparer.Ordinal) { "UploadDocuments" };

    /// <summary>Adds the audit and read-only checks after authorization.</summary>
    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var caller = http.Items[ApiKeyAuthenticationHandler.CallerItem] as ApiCaller;
        var changes = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method));
        if (caller is { IsReadOnly: true } && changes)
        {
            await TypedResults.Problem("This key is read-only: it may read (GET) but not change or send anything.",
                statusCode: 403, title: "Not allowed for this key", type: "https://httpstatuses.io/403").ExecuteAsync(http);
            await AppendAsync(http, caller, "access.denied", new JsonObject { ["reason"] = "read-only key", ["method"] = http.Request.Method });
            return;
        }
        var endpoint = http.GetEndpoint();
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var adminChange = caller is not null && changes && endpoint is not null && IsAdminRoute(endpoint) && name is not null && !RecordedByStore.Contains(name);
        JsonNode? body = null;
        if (adminChange && !ContentBodies.Contains(name!) && http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
            && http.Request.ContentLength is null or <= MaxBodyBytes)
        {
            http.Request.EnableBuffering();
            body = await ReadBodyAsync(http);
        }
        var before = adminChange && caller!.TenantId is { } t1 ? await SnapshotAsync(http, name!, t1) : null;
        await next(http);
        if (caller is null) return;
        var status = http.Response.StatusCode;
        if (status == StatusCodes.Status403Forbidden)
            await AppendAsync(http, caller, "access.denied", new JsonObject { ["method"] = http.Request.Method });
        else if (adminChange && status is >= 200 and < 300)
        {
            var after = new JsonObject { ["method"] = http.Request.Method, ["status"] = status };
            if (body is not null) after["request"] = Redact(body);
            else if (http.Request.ContentType is { } type) after["contentType"] = type;
            if (caller.TenantId is { } t2 && ChangeSnapshots.Has(name!)) after["state"] = await SnapshotAsync(http, name!, t2);
            await AppendAsync(http, caller, "admin." + name, after, before);
        }
    });

    /// <summary>A route only tenant admins or operators may call.</summary>
    private static bool IsAdminRoute(Endpoint endpoint)
    {
        var roles = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
            .SelectMany(p => p.Requirements.OfType<RolesAuthorizationRequirement>()).SelectMany(r => r.AllowedRoles).ToList();
        return roles.Count > 0 && !roles.Contains(Roles.User);
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpContext http)
    {
        try
        {
            var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return node;
        }
        catch (JsonException) { return null; }
        finally { http.Request.Body.Position = 0; }
    }

    /// <summary>Replaces the values of fields whose names suggest a secret: the audit log never shows one.</summary>
    internal static JsonNode? Redact(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, _) in o.ToList())
                    o[key] = IsSecretName(key) ? (o[key] is null ? null : JsonValue.Create("(hidden)")) : Redact(o[key]?.DeepClone());
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = Redact(a[i]?.DeepClone());
                return a;
            default:
                return node;
        }
    }

    private static bool IsSecretName(string name)
    {
        var n = name.ToLowerInvariant();
        return n is "key" || n.Contains("apikey") || n.Contains("secret") || n.Contains("password") || n.Contains("credential")
            || n.Contains("authorization") || n.Contains("token") && !n.Contains("tokens");
    }

    // A state that cannot be read leaves the entry without it; the change itself is not held up.
    private static async Task<JsonNode?> SnapshotAsync(HttpContext http, string name, string tenantId)
    {
        try { return await ChangeSnapshots.ReadAsync(http, name, tenantId); }
        catch (Exception e) when (e is not OperationCanceledException) { return new JsonObject { ["unreadable"] = e.GetType().Name }; }
    }

    private static async Task AppendAsync(HttpContext http, ApiCaller caller, string action, JsonNode after, JsonNode? before = null)
    {
        try
        {
            var log = http.RequestServices.GetRequiredService<IAuditLog>();
            await log.AppendAsync(caller.TenantId, caller.ToActor(http), action, $"{http.Request.Method} {Shorten(http.Request.Path.Value)}", before, after, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogAuditFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Conversations.Api.Audit"), action, e);
        }
    }

    private static string Shorten(string? path) => path is null ? "" : path.Length > 300 ? path[..300] : path;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit entry {Action}")]
    private static partial void LogAuditFailed(ILogger logger, string action, Exception exception);
}
