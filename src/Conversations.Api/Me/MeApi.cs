using Conversations.Api.Auth;
using Conversations.Api.Chat;
using Conversations.Contracts;
using Conversations.Contracts.Images;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Me;

/// <summary>Who a key names: what a client shows as "signed in as", and how it checks a key at sign-in.</summary>
internal static class MeApi
{
    /// <summary>Maps <c>GET /v1/me</c>.</summary>
    public static RouteGroupBuilder MapMeApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/me", Get).WithTags("Keys").WithName("GetMe")
            .WithSummary("The caller: tenant (id and name), user (id and display name), role, the key's scope (admin, chat, read-only or operator: what the key may do), whether questions may carry images (readsImages), the longest question it takes (maxMessageChars), how often a quiet stream carries a heartbeat (heartbeatSeconds: a client may treat about three intervals of silence as a dead connection), and the tenant's starter questions (starterQuestions, set in the tenant settings; none by default). An operator key names no tenant.")
            .RequireRoles(Roles.User, Roles.TenantAdmin, Roles.Operator);
        return v1;
    }

    private static async Task<Ok<MeDto>> Get(HttpContext http, IGrainFactory grains, ITenantDirectory directory, IOptions<ChatApiOptions> chat,
        IMessageImages images, CancellationToken ct)
    {
        var caller = http.Caller();
        var scope = KeyScopes.Effective(caller.Role, caller.Scope);
        var heartbeat = chat.Value.HeartbeatSeconds;
        if (caller.TenantId is null) return TypedResults.Ok(new MeDto(null, null, caller.UserId, null, caller.Role, scope, false, null, heartbeat, []));
        var settings = await grains.GetGrain<ITenantGrain>(caller.TenantId).GetSettingsAsync();
        var readsImages = await grains.GetGrain<IRoutingConfigGrain>(caller.TenantId).ReadsImagesAsync();
        var user = caller.UserId is null ? null : await directory.GetUserAsync(caller.TenantId, caller.UserId, ct);
        var tenantName = string.IsNullOrWhiteSpace(settings.Name) ? caller.TenantId : settings.Name;
        return TypedResults.Ok(new MeDto(caller.TenantId, tenantName, caller.UserId, user?.DisplayName ?? caller.UserId, caller.Role, scope, readsImages,
            chat.Value.MaxMessageChars, heartbeat, settings.StarterQuestions, images.MaxImageBytes));
    }
}

/// <summary>The answer to GET /v1/me.</summary>
/// <param name="TenantId">The caller's tenant; null for an operator.</param>
/// <param name="TenantName">The tenant's display name (its id when it has none).</param>
/// <param name="UserId">The user the key belongs to.</param>
/// <param name="DisplayName">The user's display name.</param>
/// <param name="Role">user, tenant_admin or operator.</param>
/// <param name="Scope">What the key may do: admin, chat or operator (all its role allows), or read-only (reads only, no change).</param>
/// <param name="ReadsImages">Whether a question may carry images here (a model that reads them answers); false for an operator.</param>
/// <param name="MaxMessageChars">The longest question the platform takes (UTF-16 units); null for an operator.</param>
/// <param name="HeartbeatSeconds">The longest a live answer stream stays silent: a quiet one carries a heartbeat this often.</param>
/// <param name="StarterQuestions">The questions the chat offers before the first one, as the tenant admin set them (none by default).</param>
/// <param name="MaxImageBytes">The largest image a question may carry, in bytes; null for an operator.</param>
internal sealed record MeDto(string? TenantId, string? TenantName, string? UserId, string? DisplayName, string Role, string Scope, bool ReadsImages,
    int? MaxMessageChars, double HeartbeatSeconds, IReadOnlyList<string> StarterQuestions, int? MaxImageBytes = null);
