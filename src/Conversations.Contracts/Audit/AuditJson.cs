using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conversations.Contracts.Audit;

/// <summary>
/// What an audit entry keeps of a request body or a state: secret-looking fields hidden, only what changed between
/// before and after, and anything larger than <see cref="MaxInlineBytes"/> as its size and SHA-256.
/// </summary>
public static class AuditJson
{
    /// <summary>Bodies and states larger than this (UTF-8 bytes of their JSON) are kept as their digest.</summary>
    public const int MaxInlineBytes = 4 * 1024;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A state as JSON (camelCase), secrets hidden; a state that does not serialize says so instead.</summary>
    public static JsonNode? Snapshot(object? state, Type type)
    {
        if (state is null) return null;
        try
        {
            return Redact(JsonSerializer.SerializeToNode(state, type, Web));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            return new JsonObject { ["unreadable"] = e.GetType().Name };
        }
    }

    /// <summary>Replaces the values of fields whose names suggest a secret: the audit log never shows one.</summary>
    public static JsonNode? Redact(JsonNode? node)
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

    /// <summary>
    /// What changed from <paramref name="before"/> to <paramref name="after"/>: objects keep only the members that
    /// differ (recursively); arrays keep the elements only one side has (before: removed, after: added), or both whole
    /// when only the order changed; other values are kept whole. Both null when nothing changed.
    /// </summary>
    public static (JsonNode? Before, JsonNode? After) Changes(JsonNode? before, JsonNode? after)
    {
        if (JsonNode.DeepEquals(before, after)) return (null, null);
        switch (before, after)
        {
            case (JsonObject b, JsonObject a):
            {
                var ob = new JsonObject();
                var oa = new JsonObject();
                foreach (var name in b.Select(p => p.Key).Union(a.Select(p => p.Key), StringComparer.Ordinal))
                {
                    var hasB = b.TryGetPropertyValue(name, out var vb);
                    var hasA = a.TryGetPropertyValue(name, out var va);
                    if (hasB && hasA && JsonNode.DeepEquals(vb, va)) continue;
                    if (hasB && hasA)
                    {
                        var (cb, ca) = Changes(vb, va);
                        ob[name] = cb;
                        oa[name] = ca;
                    }
                    else if (hasB) ob[name] = vb?.DeepClone();
                    else oa[name] = va?.DeepClone();
                }
                return (ob, oa);
            }
            case (JsonArray b, JsonArray a):
            {
                var removed = new JsonArray(b.Where(x => !a.Any(y => JsonNode.DeepEquals(x, y))).Select(x => x?.DeepClone()).ToArray());
                var added = new JsonArray(a.Where(x => !b.Any(y => JsonNode.DeepEquals(x, y))).Select(x => x?.DeepClone()).ToArray());
                return removed.Count + added.Count > 0 ? (removed, added) : (b.DeepClone(), a.DeepClone());
            }
            default:
                return (before?.DeepClone(), after?.DeepClone());
        }
    }

    /// <summary><paramref name="node"/> itself, or its size and SHA-256 when its JSON is larger than <see cref="MaxInlineBytes"/>.</summary>
    public static JsonNode? Bounded(JsonNode? node) => node is null ? null : Bounded(node.ToJsonString(), node);

    /// <summary>A JSON text as a node, or its size and SHA-256 when it is larger than <see cref="MaxInlineBytes"/> or not JSON.</summary>
    public static JsonNode? BoundedText(string? json)
    {
        if (json is null) return null;
        if (Encoding.UTF8.GetByteCount(json) > MaxInlineBytes) return Digest(json);
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return Digest(json);
        }
    }

    private static JsonNode Bounded(string json, JsonNode node) => Encoding.UTF8.GetByteCount(json) > MaxInlineBytes ? Digest(json) : node;

    /// <summary>The size (UTF-8 bytes) and SHA-256 (hex) of a text: enough to tell which body it was, without keeping it.</summary>
    public static JsonObject Digest(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Digest(bytes);
    }

    /// <summary>The size and SHA-256 (hex) of some bytes.</summary>
    public static JsonObject Digest(ReadOnlySpan<byte> bytes) =>
        new() { ["bytes"] = bytes.Length, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
}
