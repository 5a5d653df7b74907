namespace Conversations.Testing.Http;

/// <summary>Admin calls many tests make.</summary>
public static class ApiClientExtensions
{
    /// <summary>Patches the tenant's settings with the admin key.</summary>
    public static async Task PatchSettingsAsync(this ApiClient admin, object patch)
    {
        var res = await admin.Http.PatchAsJsonAsync("/v1/tenant/settings", patch);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    /// <summary>Patches the tenant's moderation settings (rate limits among them) with the admin key.</summary>
    public static async Task PatchModerationAsync(this ApiClient admin, object patch)
    {
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", patch);
        await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    /// <summary>Lifts the per-user request and token limits (the moderation feature's rate limiter) for load tests.</summary>
    public static async Task RaiseRateLimitsAsync(this ApiClient admin)
    {
        var res = await admin.Http.PatchAsJsonAsync("/v1/moderation/settings", new
        {
            userRequestsPerMinute = 1_000_000, userTokensPerMinute = 100_000_000, tenantRequestsPerMinute = 1_000_000, tenantTokensPerMinute = 100_000_000,
        });
        if (res.StatusCode != HttpStatusCode.NotFound) await ApiClient.EnsureAsync(res, HttpStatusCode.OK);
    }

    /// <summary>POSTs JSON and returns the status and body.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(this ApiClient client, string path, object body)
    {
        var res = await client.Http.PostAsJsonAsync(path, body);
        var text = await res.Content.ReadAsStringAsync();
        return (res.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
