using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Moderation;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Audit;

/// <summary>
/// What an admin route changes, read before and after the change, so its audit entry shows both. Secrets in the
/// state (model keys) are replaced like those of request bodies.
/// </summary>
internal static class ChangeSnapshots
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Func<IGrainFactory, string, HttpContext, Task<object?>>> Readers = new(StringComparer.Ordinal)
    {
        ["UpdateTenantSettings"] = async (g, t, _) => await g.GetGrain<ITenantGrain>(t).GetSettingsAsync(),
        ["UpdateModerationSettings"] = async (g, t, _) => await g.GetGrain<ITenantModerationGrain>(t).GetSettingsAsync(),
        ["PutLexicon"] = Lexicon,
        ["DeleteLexicon"] = Lexicon,
        ["PutRole"] = Acl, ["DeleteRole"] = Acl, ["GrantLabel"] = Acl, ["RevokeLabel"] = Acl, ["SetUserRoles"] = Acl,
        ["PutModel"] = Routing, ["DeleteModel"] = Routing, ["PutRoutingPolicy"] = Routing, ["PromoteCanary"] = Routing, ["RollbackCanary"] = Routing,
        ["DeleteDocument"] = async (g, t, http) => await g.GetGrain<IKnowledgeBaseGrain>(t).GetAsync(RouteValue(http, "documentId")),
    };

    /// <summary>The state a route changes, or null when it has no reader (or the state cannot be read).</summary>
    public static async Task<JsonNode?> ReadAsync(HttpContext http, string endpointName, string tenantId)
    {
        if (!Readers.TryGetValue(endpointName, out var read)) return null;
        var state = await read(http.RequestServices.GetRequiredService<IGrainFactory>(), tenantId, http);
        return state is null ? null : AuditTrail.Redact(JsonSerializer.SerializeToNode(state, state.GetType(), Json));
    }

    /// <summary>True when the route has a reader.</summary>
    public static bool Has(string endpointName) => Readers.ContainsKey(endpointName);

    private static async Task<object?> Lexicon(IGrainFactory g, string t, HttpContext http)
    {
        var name = RouteValue(http, "name");
        var all = await g.GetGrain<ITenantLexiconGrain>(t).GetAsync();
        return all.Lexicons.FirstOrDefault(l => l.Name == name);
    }

    private static async Task<object?> Acl(IGrainFactory g, string t, HttpContext _) => await g.GetGrain<ITenantAclGrain>(t).GetAsync();

    private static async Task<object?> Routing(IGrainFactory g, string t, HttpContext _) => await g.GetGrain<IRoutingConfigGrain>(t).GetAsync();

    private static string RouteValue(HttpContext http, string name) => http.GetRouteValue(name)?.ToString() ?? "";
}
