using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Api.Auth;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Conversations.Api.Audit;

/// <summary>
/// Audits every change made through an admin or operator route (the route's name, its path, the request body with
/// secret-looking fields replaced, or its size and SHA-256 when it is large) and every refused access (403), and
/// refuses changes by read-only keys. The request is put in the Orleans request context as an
/// <see cref="AuditedRequest"/>: the grain state or table rows it changes write the entry in the change's own
/// transaction. Routes whose change has no such writer yet are recorded here after they succeed.
/// </summary>
internal static partial class AuditTrail
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int RefusalsPerKeyMinute = 20;

    // Refusals recorded this minute, by key (see AppendRefusalAsync).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Minute, int Count)> RefusalCounts = new(StringComparer.Ordinal);

    // These routes' bodies are content (documents), not settings: the entry keeps their size and SHA-256, never the text.
    private static readonly HashSet<string> ContentBodies = new(StringComparer.Ordinal) { "UploadDocuments" };

    // These routes are POSTs that change nothing (a lookup, a calculator): not audited as changes, and open to read-only keys.
    private static readonly HashSet<string> ReadOnlyPosts = new(StringComparer.Ordinal) { "LookUpDocuments", "EstimateCapacity" };

    // These routes' stores write their own entry (with their own action names) in the same transaction as the change.
    private static readonly HashSet<string> RecordedByStore = new(StringComparer.Ordinal)
    {
        "IssueKey", "RotateKey", "RevokeKey", "DeleteUser", "DeleteTenant", "StartExport", "RestartExport", "PutCorsOrigins",
    };

    // These routes' changes (grain state; user, lexicon and document rows) write the entry from the audited request, in
    // their transaction, with what changed.
    private static readonly HashSet<string> RecordedWithChange = new(StringComparer.Ordinal)
    {
        "UpdateTenantSettings", "UpdateModerationSettings", "PutLexicon", "DeleteLexicon", "CreateUser", "UploadDocuments", "DeleteDocument",
        "PutRole", "DeleteRole", "GrantLabel", "RevokeLabel", "SetUserRoles",
        "PutModel", "DeleteModel", "PutRoutingPolicy", "PromoteCanary", "RollbackCanary",
        "CreateEvaluationSet", "DeleteEvaluationSet", "AddEvaluationCaseFromFeedback", "RunEvaluationSet", "DestroyTenantDataKey", "CreateTenant",
    };

    /// <summary>Adds the audit and read-only checks after authorization.</summary>
    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var caller = http.Items[ApiKeyAuthenticationHandler.CallerItem] as ApiCaller;
        var endpoint = http.GetEndpoint();
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var changes = !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method)
            || name is not null && ReadOnlyPosts.Contains(name));
        if (caller is { IsReadOnly: true } && changes)
        {
            await TypedResults.Problem("This key is read-only: it may read (GET) but not change or send anything.",
                statusCode: 403, title: "Not allowed for this key", type: "https://httpstatuses.io/403").ExecuteAsync(http);
            await AppendRefusalAsync(http, caller, new JsonObject { ["reason"] = "read-only key", ["method"] = http.Request.Method });
            return;
        }
        var adminChange = caller is not null && changes && endpoint is not null && IsAdminRoute(endpoint) && name is not null && !RecordedByStore.Contains(name);
        if (!adminChange)
        {
            await next(http);
            if (caller is not null && http.Response.StatusCode == StatusCodes.Status403Forbidden)
                await AppendRefusalAsync(http, caller, new JsonObject { ["method"] = http.Request.Method });
            return;
        }
        var body = await RequestBodyAsync(http, ContentBodies.Contains(name!));
        var withChange = RecordedWithChange.Contains(name!);
        var actor = caller!.ToActor(http);
        AuditedRequest.Set(new AuditedRequest(caller.TenantId, actor.KeyId, actor.UserId, actor.ClientAddress, "admin." + name, Target(http),
            body?.ToJsonString()));
        try
        {
            await next(http);
        }
        finally
        {
            AuditedRequest.Set(null);
        }
        var status = http.Response.StatusCode;
        if (status == StatusCodes.Status403Forbidden)
            await AppendRefusalAsync(http, caller, new JsonObject { ["method"] = http.Request.Method });
        else if (!withChange && status is >= 200 and < 300)
        {
            var after = new JsonObject { ["method"] = http.Request.Method, ["status"] = status, ["request"] = body };
            await AppendAsync(http, caller, "admin." + name, after);
        }
    });

    // The request body as the entry keeps it: JSON with secrets hidden, or size and SHA-256 (with the content type) when
    // it is large or not JSON; null without a body.
    private static async Task<JsonNode?> RequestBodyAsync(HttpContext http, bool content)
    {
        if (http.Request.ContentLength is 0 || http.Request.ContentLength is null && http.Request.ContentType is null) return null;
        http.Request.EnableBuffering();
        var json = !content && http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        if (json && http.Request.ContentLength is null or <= MaxBodyBytes && await ReadBodyAsync(http) is { } node)
            return AuditJson.Bounded(AuditJson.Redact(node));
        try
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long bytes = 0;
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                bytes += read;
            }
            return new JsonObject { ["contentType"] = http.Request.ContentType, ["bytes"] = bytes, ["sha256"] = Convert.ToHexStringLower(sha.GetHashAndReset()) };
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }

    private static string Target(HttpContext http) => $"{http.Request.Method} {Shorten(http.Request.Path.Value)}";

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


    // A refusal is recorded at most RefusalsPerKeyMinute times a key a minute on this host, the last of them saying that
    // more are not recorded: a key sending refused requests on purpose cannot bury the trail (which nobody may prune).
    private static async Task AppendRefusalAsync(HttpContext http, ApiCaller caller, JsonObject after)
    {
        var minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        var (at, count) = RefusalCounts.AddOrUpdate(caller.KeyId, (minute, 1), (_, c) => c.Minute == minute ? (minute, c.Count + 1) : (minute, 1));
        if (count > RefusalsPerKeyMinute) return;
        if (count == RefusalsPerKeyMinute) after["moreNotRecorded"] = "Further refusals of this key until the minute turns are not recorded.";
        if (RefusalCounts.Count > 10_000)
            foreach (var stale in RefusalCounts.Where(e => e.Value.Minute < at).Select(e => e.Key).ToList()) RefusalCounts.TryRemove(stale, out _);
        await AppendAsync(http, caller, "access.denied", after);
    }

    private static async Task AppendAsync(HttpContext http, ApiCaller caller, string action, JsonNode after, JsonNode? before = null)
    {
        try
        {
            var log = http.RequestServices.GetRequiredService<IAuditLog>();
            await log.AppendAsync(caller.TenantId, caller.ToActor(http), action, Target(http), before, after, CancellationToken.None);
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
