using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Knowledge;

/// <summary>The tenant's access rules (tenant admins): roles, hierarchy, grants, users' roles.</summary>
internal static class AclApi
{
    /// <summary>Maps the routes under <c>/v1/acl</c>.</summary>
    public static RouteGroupBuilder MapAclApi(this RouteGroupBuilder v1)
    {
        var acl = v1.MapGroup("/acl").WithTags("Knowledge access control").RequireRoles(Roles.TenantAdmin);
        acl.MapGet("/", Get).WithName("GetAcl").WithSummary("The tenant's roles, role hierarchy, grants and users' roles, with the ACL version.");
        acl.MapPut("/roles/{role}", PutRole).WithName("PutRole")
            .WithSummary("Defines or replaces a role: the roles it includes (e.g. manager includes staff) and its labels; a list the body does not name stays as it is. A cycle is a 400.");
        acl.MapDelete("/roles/{role}", DeleteRole).WithName("DeleteRole").WithSummary("Deletes a role no other role includes.");
        acl.MapPost("/roles/{role}/grants", Grant).WithName("GrantLabel").WithSummary("Grants a label to a role.");
        acl.MapDelete("/roles/{role}/grants/{**label}", Revoke).WithName("RevokeLabel")
            .WithSummary("Revokes a label from a role; the next retrieval no longer sees its documents.");
        acl.MapPut("/users/{userId}/roles", SetUserRoles).WithName("SetUserRoles").WithSummary("Replaces a user's roles.");
        acl.MapGet("/users/{userId}/labels", UserLabels).WithName("GetUserLabels").WithSummary("The labels a user may read now.");
        return v1;
    }

    private static ITenantAclGrain Acl(HttpContext http, IGrainFactory grains) => grains.GetGrain<ITenantAclGrain>(http.Caller().TenantId!);

    private static async Task<Ok<AclView>> Get(HttpContext http, IGrainFactory grains) => TypedResults.Ok(await Acl(http, grains).GetAsync());

    // The grain validates names, includes and cycles; its ArgumentException becomes a 400 with the message. A body that
    // names neither list is refused: a missing or empty body must not strip a role of everything it grants.
    private static async Task<Results<Ok<AclVersionDto>, ProblemHttpResult>> PutRole(string role, PutRoleRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (body?.Includes is null && body?.Labels is null)
            return Problems.BadRequest("Send the role's labels and the roles it includes, e.g. {\"includes\": [\"staff\"], \"labels\": [\"hr\"]}; [] clears a list.", "labels");
        var acl = Acl(http, grains);
        var (includes, labels) = (body.Includes, body.Labels);
        if (includes is null || labels is null)
        {
            // The list a PUT does not name stays as it is (a new role's is empty): {"includes": [...]} alone must not
            // take every label from the role's readers.
            var stored = (await acl.GetAsync()).Roles.FirstOrDefault(r => r.Name == role);
            includes ??= stored?.Includes ?? [];
            labels ??= stored?.Labels ?? [];
        }
        return TypedResults.Ok(new AclVersionDto(await acl.PutRoleAsync(new RoleDefinition(role, includes, labels))));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRole(string role, HttpContext http, IGrainFactory grains) =>
        await Acl(http, grains).DeleteRoleAsync(role) is null ? Problems.AdminNotFound($"Role '{role}'") : TypedResults.NoContent();

    private static async Task<Results<Ok<AclVersionDto>, ProblemHttpResult>> Grant(string role, GrantRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (string.IsNullOrWhiteSpace(body?.Label)) return Problems.BadRequest("label is required, e.g. {\"label\": \"compensation/staff\"}.");
        return TypedResults.Ok(new AclVersionDto(await Acl(http, grains).GrantAsync(role, body.Label)));
    }

    // Revoking what the role does not hold is a 404, not a 200: a typo in the label must not read as access taken away.
    private static async Task<Results<Ok<AclVersionDto>, ProblemHttpResult>> Revoke(string role, string label, HttpContext http, IGrainFactory grains)
    {
        var acl = Acl(http, grains);
        if (await acl.RevokeAsync(role, label) is { } version) return TypedResults.Ok(new AclVersionDto(version));
        // Nothing was revoked: the view only says which of the two names was wrong.
        return (await acl.GetAsync()).Roles.Any(r => r.Name == role)
            ? Problems.AdminNotFound($"A grant of label '{label}' to role '{role}'")
            : Problems.AdminNotFound($"Role '{role}'");
    }

    private static async Task<Results<Ok<AclVersionDto>, ProblemHttpResult>> SetUserRoles(
        string userId, SetUserRolesRequest? body, HttpContext http, IGrainFactory grains, ITenantDirectory users, CancellationToken ct)
    {
        if (!Ids.IsId(userId) || await users.GetUserAsync(http.Caller().TenantId!, userId, ct) is null) return Problems.AdminNotFound($"User '{userId}'");
        // Only an explicit [] takes every role away: a missing body or field is a mistake, not that wish.
        if (body?.Roles is null) return Problems.BadRequest("roles is required, e.g. {\"roles\": [\"staff\"]}; [] takes every role away.", "roles");
        return TypedResults.Ok(new AclVersionDto(await Acl(http, grains).SetUserRolesAsync(userId, body.Roles)));
    }

    private static async Task<Results<Ok<UserLabelsDto>, ProblemHttpResult>> UserLabels(string userId, HttpContext http, IGrainFactory grains,
        ITenantDirectory users, CancellationToken ct)
    {
        // As for roles: an unknown user is a 404, not an empty grant that reads like a user who may read nothing.
        if (!Ids.IsId(userId) || await users.GetUserAsync(http.Caller().TenantId!, userId, ct) is null) return Problems.AdminNotFound($"User '{userId}'");
        var access = await Acl(http, grains).GetUserAccessAsync(userId);
        return TypedResults.Ok(new UserLabelsDto(userId, access.AclVersion, access.Labels));
    }
}
