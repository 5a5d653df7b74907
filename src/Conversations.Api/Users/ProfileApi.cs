using Conversations.Api.Auth;
using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Users;

/// <summary>Who the caller's key signs in as: what a web page shows beside its menu and uses to pick the views it offers.</summary>
internal static class ProfileApi
{
    /// <summary>Maps <c>GET /v1/me</c>.</summary>
    public static RouteGroupBuilder MapProfileApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/me", Get).WithTags("Keys").RequireRoles(Roles.Operator, Roles.TenantAdmin, Roles.User).WithName("GetMe")
            .WithSummary("The caller: role, key id, and for tenant keys the tenant (id, name) and the user (id, display name).");
        return v1;
    }

    private static async Task<Ok<ProfileDto>> Get(HttpContext http, ITenantDirectory directory, IGrainFactory grains, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.TenantId is not { } tenant) return TypedResults.Ok(new ProfileDto(caller.Role, caller.KeyId, null, null, null, null));
        var settings = await grains.GetGrain<ITenantGrain>(tenant).GetSettingsAsync();
        var user = caller.UserId is { } id ? await directory.GetUserAsync(tenant, id, ct) : null;
        return TypedResults.Ok(new ProfileDto(caller.Role, caller.KeyId, tenant, string.IsNullOrEmpty(settings.Name) ? tenant : settings.Name,
            caller.UserId, user?.DisplayName ?? caller.UserId));
    }
}

/// <summary>The signed-in caller; the tenant and user fields are null for an operator key.</summary>
internal sealed record ProfileDto(string Role, string KeyId, string? TenantId, string? TenantName, string? UserId, string? DisplayName);
