using System.ComponentModel.DataAnnotations;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.DataRights;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Tenancy;

/// <summary>Tenants (operator), users, keys and settings (tenant admin).</summary>
internal static class TenancyApi
{
    /// <summary>Maps the routes under <c>/v1</c>.</summary>
    public static RouteGroupBuilder MapTenancyApi(this RouteGroupBuilder v1)
    {
        var operators = v1.MapGroup("/tenants").WithTags("Tenants").RequireRoles(Roles.Operator);
        operators.MapPost("/", CreateTenant).WithName("CreateTenant").WithSummary("Creates a tenant and its first admin key (operator).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        operators.MapGet("/", ListTenants).WithName("ListTenants").WithSummary("Lists tenants by id with their user counts (operator); q keeps those whose id or name contains it.");
        operators.MapDelete("/{tenantId}", DeleteTenant).WithName("DeleteTenant")
            .WithSummary("Deletes a tenant and everything of it: rows, vectors, grain state, keys, audit trail (operator).");

        var admin = v1.MapGroup("").WithTags("Tenant administration").RequireRoles(Roles.TenantAdmin);
        admin.MapPost("/users", CreateUser).WithName("CreateUser").WithSummary("Creates a user of the caller's tenant.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/users", ListUsers).WithName("ListUsers").WithSummary("Lists the tenant's users.");
        admin.MapGet("/users/{userId}", GetUser).WithName("GetUser").WithSummary("One user of the caller's tenant; 404 when there is none.");
        admin.MapPost("/users/{userId}/keys", IssueKey).WithName("IssueKey").WithSummary("Issues an API key for a user (shown once); ?expiresInDays=N makes it stop after N days, ?scope=chat|read-only|admin narrows it.")
            .RefusesBody("expiresInDays and scope are query parameters, e.g. POST /v1/users/{userId}/keys?expiresInDays=30&scope=read-only.");
        admin.MapPost("/keys/{keyId}/rotate", RotateKey).WithName("RotateKey")
            .WithSummary("Issues a successor of a key (shown once); the old key keeps working for ?overlapMinutes=N (default 60, 0 ends it now). A key already rotated is a 409 naming its successor.")
            .RefusesBody("overlapMinutes is a query parameter, e.g. POST /v1/keys/{keyId}/rotate?overlapMinutes=0.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapDelete("/users/{userId}", DeleteUser).WithName("DeleteUser")
            .WithSummary("Deletes a user: conversations, memory, keys, feedback, cache entries; usage stays as anonymous aggregates.");
        admin.MapGet("/users/{userId}/keys", ListKeys).WithName("ListUserKeys").WithSummary("A user's keys: id, created, last used, expiry (never the secret).");
        admin.MapDelete("/keys/{keyId}", RevokeKey).WithName("RevokeKey")
            .WithSummary("Revokes a key of the tenant; 409 for the tenant's last working admin key (issue another first).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/tenant/settings", GetSettings).WithName("GetTenantSettings").WithSummary("The tenant's settings.");
        admin.MapPatch("/tenant/settings", UpdateSettings).WithName("UpdateTenantSettings").WithSummary("Changes the tenant's settings (budgets, instructions).");

        var own = v1.MapGroup("/me/keys").WithTags("Keys").RequireRoles(Roles.User, Roles.TenantAdmin);
        own.MapGet("/", ListOwnKeys).WithName("ListMyKeys").WithSummary("The caller's own keys: id, created, last used, expiry (never the secret).");
        return v1;
    }

    private static async Task<Results<Created<CreatedTenant>, ProblemHttpResult>> CreateTenant(
        CreateTenantRequest body, ITenantDirectory directory, CancellationToken ct)
    {
        if (!Ids.IsTenantId(body.TenantId)) return Problems.BadRequest(string.IsNullOrEmpty(body.TenantId) ? TenancyMessages.TenantId : TenancyMessages.TenantIdFormat);
        var name = string.IsNullOrWhiteSpace(body.Name) ? body.TenantId! : body.Name.Trim();
        var adminUser = string.IsNullOrWhiteSpace(body.AdminUserId) ? "admin" : body.AdminUserId;
        if (!Ids.IsId(adminUser)) return Problems.BadRequest(TenancyMessages.AdminUserId);
        if (await directory.OpenTenantAsync(body.TenantId!, name, adminUser, ct) is not { } key) return Problems.Conflict(
            $"The tenant id '{body.TenantId}' is taken; choose another.");
        return TypedResults.Created("/v1/tenants", new CreatedTenant(body.TenantId!, name, adminUser, key.Key));
    }

    private static async Task<Results<Ok<TenantPage>, ProblemHttpResult>> ListTenants(ITenantDirectory directory,
        [StringLength(200, ErrorMessage = "q must be at most 200 characters.")] string? q, string? cursor,
        [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        if (cursor is not null && !Ids.IsTenantId(cursor)) return Problems.InvalidCursor();
        var take = limit ?? 50;
        var tenants = await directory.ListTenantsAsync(cursor, string.IsNullOrWhiteSpace(q) ? null : q.Trim(), take, ct);
        return TypedResults.Ok(new TenantPage(
            [.. tenants.Select(t => new TenantDto(t.TenantId, t.Name, t.CreatedAt, t.Users))],
            tenants.Count == take ? tenants[^1].TenantId : null));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetUser(string userId, HttpContext http, ITenantDirectory directory, CancellationToken ct) =>
        Ids.IsId(userId) && await directory.GetUserAsync(http.Caller().TenantId!, userId, ct) is { } user
            ? TypedResults.Ok(new UserDto(user.UserId, user.DisplayName, user.Role, user.CreatedAt))
            : Problems.NotFound($"User '{userId}'");

    private static async Task<Results<Created<UserDto>, ProblemHttpResult>> CreateUser(
        CreateUserRequest body, HttpContext http, ITenantDirectory directory, CancellationToken ct)
    {
        var tenant = http.Caller().TenantId!;
        if (!Ids.IsId(body.UserId)) return Problems.BadRequest(string.IsNullOrEmpty(body.UserId) ? TenancyMessages.UserId : TenancyMessages.UserIdFormat);
        if (Ids.IsGeneratedIdShape(body.UserId!)) return Problems.BadRequest(TenancyMessages.UserIdReserved, "userId");
        // The trail names keys by id: a user of that name, once erased, would have those entries rewritten with theirs.
        if (await directory.IsKeyIdAsync(tenant, body.UserId!, ct)) return Problems.BadRequest(TenancyMessages.UserIdIsKeyId, "userId");
        var role = body.Role ?? Roles.User;
        if (!Roles.IsTenantRole(role)) return Problems.BadRequest(TenancyMessages.Role);
        var display = string.IsNullOrWhiteSpace(body.DisplayName) ? body.UserId! : body.DisplayName.Trim();
        if (!await directory.CreateUserAsync(tenant, body.UserId!, display, role, ct)) return Problems.Conflict($"User '{body.UserId}' already exists.");
        var user = (await directory.GetUserAsync(tenant, body.UserId!, ct))!;
        return TypedResults.Created($"/v1/users/{user.UserId}", new UserDto(user.UserId, user.DisplayName, user.Role, user.CreatedAt));
    }

    private static async Task<Results<Ok<UserPage>, ProblemHttpResult>> ListUsers(HttpContext http, ITenantDirectory directory, string? cursor,
        [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        if (cursor is not null && !Ids.IsId(cursor)) return Problems.InvalidCursor();
        var take = limit ?? 50;
        var users = await directory.ListUsersAsync(http.Caller().TenantId!, cursor, take, ct);
        return TypedResults.Ok(new UserPage(
            users.Select(u => new UserDto(u.UserId, u.DisplayName, u.Role, u.CreatedAt)).ToList(),
            users.Count == take ? users[^1].UserId : null));
    }

    private static async Task<Results<Created<IssuedKeyDto>, ProblemHttpResult>> IssueKey(
        string userId,
        [Range(1, 3650, ErrorMessage = "expiresInDays must be between 1 and 3650.")] int? expiresInDays,
        string? scope,
        HttpContext http, ITenantDirectory directory, IKeyLifecycle keys, TimeProvider time, CancellationToken ct)
    {
        // Query parameters, not a body: clients issue keys with an empty POST, whatever its content type.
        var expiresAt = expiresInDays is { } days ? time.GetUtcNow().AddDays(days) : (DateTimeOffset?)null;
        var caller = http.Caller();
        if (!Ids.IsId(userId) || await directory.GetUserAsync(caller.TenantId!, userId, ct) is not { } user) return Problems.AdminNotFound($"User '{userId}'");
        if (scope is not null && !KeyScopes.IsAllowed(user.Role, scope))
            return Problems.BadRequest($"scope must be one of: {(user.Role == Roles.TenantAdmin ? "admin, chat, read-only" : "chat, read-only")} for a key of a {user.Role}.");
        var key = await keys.IssueAsync(caller.TenantId!, userId, scope, expiresAt, caller.ToActor(http), ct);
        if (key is null) return Problems.AdminNotFound($"User '{userId}'");
        return TypedResults.Created($"/v1/users/{key.UserId}/keys", new IssuedKeyDto(key.KeyId, key.Key, key.UserId, key.Role, KeyScopes.Effective(key.Role, scope)));
    }

    private static async Task<Results<Created<RotatedKeyDto>, ProblemHttpResult>> RotateKey(
        string keyId,
        [Range(0, 43200, ErrorMessage = "overlapMinutes must be between 0 and 43200 (30 days).")] int? overlapMinutes,
        HttpContext http, IKeyLifecycle keys, CancellationToken ct)
    {
        var caller = http.Caller();
        RotatedKey? rotated;
        try { rotated = await keys.RotateAsync(caller.TenantId!, keyId, TimeSpan.FromMinutes(overlapMinutes ?? 60), caller.ToActor(http), ct); }
        catch (KeyAlreadyRotatedException e)
        {
            return Problems.Conflict($"{e.Message} Rotate '{e.SuccessorKeyId}' instead, or revoke '{keyId}' to end it now.");
        }
        if (rotated is null) return Problems.AdminNotFound($"Key '{keyId}'");
        var k = rotated.NewKey;
        return TypedResults.Created($"/v1/users/{k.UserId}/keys", new RotatedKeyDto(k.KeyId, k.Key, k.UserId, k.Role, rotated.OldKeyId, rotated.OldKeyExpiresAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(string userId, HttpContext http, IDataRights rights, CancellationToken ct)
    {
        var caller = http.Caller();
        if (userId == caller.UserId) return Problems.BadRequest("An admin cannot delete their own user; ask another admin of the tenant.");
        return Ids.IsId(userId) && await rights.DeleteUserAsync(caller.TenantId!, userId, caller.ToActor(http), ct)
            ? TypedResults.NoContent() : Problems.AdminNotFound($"User '{userId}'");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteTenant(string tenantId, HttpContext http, IDataRights rights, CancellationToken ct) =>
        Ids.IsTenantId(tenantId) && await rights.DeleteTenantAsync(tenantId, http.Caller().ToActor(http), ct)
            ? TypedResults.NoContent() : Problems.AdminNotFound($"Tenant '{tenantId}'");

    // Another tenant's user is not found: the directory looks only inside the caller's tenant.
    private static async Task<Results<Ok<ApiKeyList>, ProblemHttpResult>> ListKeys(string userId, HttpContext http, ITenantDirectory directory, CancellationToken ct) =>
        Ids.IsId(userId) && await directory.ListKeysAsync(http.Caller().TenantId!, userId, ct) is { } keys
            ? TypedResults.Ok(ToList(keys)) : Problems.AdminNotFound($"User '{userId}'");

    private static async Task<Results<Ok<ApiKeyList>, ProblemHttpResult>> ListOwnKeys(HttpContext http, ITenantDirectory directory, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        return await directory.ListKeysAsync(caller.TenantId, caller.UserId, ct) is { } keys
            ? TypedResults.Ok(ToList(keys)) : Problems.NotFound($"User '{caller.UserId}'");
    }

    private static ApiKeyList ToList(IReadOnlyList<ApiKeyInfo> keys) =>
        new([.. keys.Select(k => new ApiKeyDto(k.KeyId, k.UserId, k.Role, k.CreatedAt, k.LastUsedAt, k.ExpiresAt, k.Scope))]);

    // Keys are looked up on every request, so the revoke holds from the next request on every API host.
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(string keyId, HttpContext http, IKeyLifecycle keys, CancellationToken ct)
    {
        var caller = http.Caller();
        try
        {
            return await keys.RevokeAsync(caller.TenantId!, keyId, caller.ToActor(http), ct) ? TypedResults.NoContent() : Problems.AdminNotFound($"Key '{keyId}'");
        }
        catch (LastAdminKeyException e)
        {
            return Problems.Conflict(e.Message);
        }
    }

    private static async Task<Ok<TenantSettings>> GetSettings(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ITenantGrain>(http.Caller().TenantId!).GetSettingsAsync());

    private static async Task<Ok<TenantSettings>> UpdateSettings(TenantSettingsPatch patch, HttpContext http, IGrainFactory grains) =>
        // The grain validates; an ArgumentException becomes a 400 with its message.
        TypedResults.Ok(await grains.GetGrain<ITenantGrain>(http.Caller().TenantId!).UpdateSettingsAsync(patch));
}
