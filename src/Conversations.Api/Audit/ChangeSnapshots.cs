using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Contracts.Knowledge;

namespace Conversations.Api.Audit;

/// <summary>
/// What an admin route recorded after the fact changes, read before and after the change, so its audit entry shows
/// both (routes whose change writes its own entry, grain state and lexicons, show what changed in that entry).
/// </summary>
internal static class ChangeSnapshots
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Func<IGrainFactory, string, HttpContext, Task<object?>>> Readers = new(StringComparer.Ordinal)
    {
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

    private static string RouteValue(HttpContext http, string name) => http.GetRouteValue(name)?.ToString() ?? "";
}
