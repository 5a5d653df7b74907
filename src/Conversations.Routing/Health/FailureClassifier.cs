using System.Text.Json;

namespace Conversations.Routing.Health;

/// <summary>
/// Sorts a failed model call into a <see cref="FailureKind"/> and says whose health it speaks for. Answers about the
/// caller (401/403, quota, 429 rate limits, 400/404/422 and other 4xx) belong to the caller's credential; only
/// transport errors, 5xx, timeouts and stalls say something about the endpoint every tenant shares.
/// </summary>
public static class FailureClassifier
{
    // Provider error codes and types that name the caller's quota or billing (OpenAI, DashScope and compatible servers).
    private static readonly string[] QuotaMarkers = ["insufficient_quota", "quota_exceeded", "billing", "arrearage", "allocationquota"];

    /// <summary>The kind of an HTTP error answer with status <paramref name="status"/> and, when known, its body.</summary>
    public static FailureKind FromHttpStatus(int status, string? errorBody) => status switch
    {
        401 or 403 => FailureKind.Unauthorized,
        402 => FailureKind.QuotaExceeded,
        429 => NamesQuota(errorBody) ? FailureKind.QuotaExceeded : FailureKind.RateLimited,
        408 => FailureKind.ServerError, // the server gave up waiting: a transport problem, not the caller's
        >= 400 and < 500 => FailureKind.Rejected,
        _ => FailureKind.ServerError,
    };

    /// <summary>Whether the failure counts toward the endpoint's shared circuit or only against the caller's credential.</summary>
    public static FailureScope ScopeOf(FailureKind kind) => kind switch
    {
        FailureKind.ServerError or FailureKind.FirstTokenTimeout or FailureKind.Stall or FailureKind.Connection => FailureScope.Endpoint,
        _ => FailureScope.Credential,
    };

    /// <summary>Whether an error body's code or type names the caller's quota or billing (e.g. OpenAI's <c>insufficient_quota</c>).</summary>
    public static bool NamesQuota(string? errorBody)
    {
        if (string.IsNullOrWhiteSpace(errorBody)) return false;
        try
        {
            using var json = JsonDocument.Parse(errorBody);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
            return new[] { Text(error, "code"), Text(error, "type"), Text(root, "code") }.Any(IsQuotaCode);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, or an exception message): only the code itself counts, never prose.
            return errorBody.Contains("insufficient_quota", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The name a health report uses for <paramref name="kind"/>.</summary>
    public static string WireName(FailureKind kind) => kind switch
    {
        FailureKind.FirstTokenTimeout => "first_token_timeout",
        FailureKind.Stall => "stall",
        FailureKind.Connection => "connection",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.Unauthorized => "unauthorized",
        FailureKind.QuotaExceeded => "quota_exceeded",
        FailureKind.Rejected => "rejected",
        FailureKind.Refused => "refused",
        _ => "server_error",
    };

    /// <summary>The kind a health report's name stands for; unknown names are server errors.</summary>
    public static FailureKind ParseWireName(string? name) =>
        Enum.GetValues<FailureKind>().FirstOrDefault(k => WireName(k) == name, FailureKind.ServerError);

    /// <summary>The code a turn's error event and failed attempt carry for <paramref name="kind"/>.</summary>
    public static string TurnCode(FailureKind kind) => kind switch
    {
        FailureKind.FirstTokenTimeout => "model_timeout",
        FailureKind.Stall => "model_stalled",
        FailureKind.RateLimited => "model_rate_limited",
        FailureKind.Unauthorized => "model_unauthorized",
        FailureKind.QuotaExceeded => "model_quota_exceeded",
        FailureKind.Rejected => "model_rejected",
        FailureKind.Refused => "model_endpoint_refused",
        _ => "model_unavailable",
    };

    /// <summary>The kind behind a turn's failure code; <c>model_unavailable</c> and unknown codes are server errors.</summary>
    public static FailureKind FromTurnCode(string? code) =>
        Enum.GetValues<FailureKind>().Where(k => k != FailureKind.Connection).FirstOrDefault(k => TurnCode(k) == code, FailureKind.ServerError);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool IsQuotaCode(string? code) =>
        code is not null && QuotaMarkers.Any(m => code.Contains(m, StringComparison.OrdinalIgnoreCase));
}
