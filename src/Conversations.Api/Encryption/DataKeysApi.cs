using System.Text.Json.Serialization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Tenancy;
using Conversations.Contracts;
using Conversations.Contracts.Encryption;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Encryption;

/// <summary>The operator's controls over encryption at rest: master key rotation and a tenant's data key (crypto-shredding).</summary>
internal static class DataKeysApi
{
    /// <summary>Maps the routes under <c>/v1</c>.</summary>
    public static RouteGroupBuilder MapDataKeysApi(this RouteGroupBuilder v1)
    {
        var operators = v1.MapGroup("").WithTags("Encryption at rest").RequireRoles(Roles.Operator);
        operators.MapPost("/operator/master-key/rotate", RotateMaster).WithName("RotateMasterKey")
            .WithSummary("Makes a new master key current and re-wraps every tenant's data key with it (stored rows are not re-encrypted).")
            .ProducesProblem(StatusCodes.Status409Conflict).RefusesBody();
        operators.MapGet("/tenants/{tenantId}/data-key", Describe).WithName("GetTenantDataKey")
            .WithSummary("The tenant's data key facts: which master wraps it, when it was created, re-wrapped or destroyed (never the key).")
            .RequireExistingTenant();
        operators.MapPost("/tenants/{tenantId}/data-key/destroy", Destroy).WithName("DestroyTenantDataKey")
            .WithSummary("Destroys the tenant's data key: everything the tenant stored becomes unreadable for good. The body must repeat the tenant id as {\"confirm\": \"<tenantId>\"}; 404 for a tenant that does not exist.")
            .RequireExistingTenant();
        return v1;
    }

    private static async Task<Results<Ok<MasterKeyRotated>, ProblemHttpResult>> RotateMaster(ITenantDataKeys keys, CancellationToken ct)
    {
        try
        {
            var (master, count) = await keys.RotateMasterAsync(ct);
            return TypedResults.Ok(new MasterKeyRotated(master, count));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A read-only key file (a mounted secret) or a key service that rotates by itself.
            return Problems.Conflict($"The master key cannot be rotated from here ({e.Message}). Add a new key where the master keys are kept and restart the hosts, or rotate in the key service.");
        }
    }

    private static async Task<Results<Ok<TenantDataKeyInfo>, ProblemHttpResult>> Describe(string tenantId, ITenantDataKeys keys, CancellationToken ct) =>
        await keys.DescribeAsync(tenantId, ct) is { } info ? TypedResults.Ok(info) : Problems.NotFound($"A data key of tenant '{tenantId}'");

    private static async Task<Results<Ok<TenantDataKeyInfo>, ProblemHttpResult>> Destroy(
        string tenantId, DestroyDataKeyRequest? body, ITenantDataKeys keys, CancellationToken ct)
    {
        if (body?.Confirm != tenantId)
            return Problems.BadRequest($"Destroying a data key cannot be undone. Send {{\"confirm\": \"{tenantId}\"}} to confirm.");
        await keys.DestroyAsync(tenantId, ct);
        return TypedResults.Ok((await keys.DescribeAsync(tenantId, ct))!);
    }
}

/// <summary>The answer to a master key rotation.</summary>
/// <param name="MasterKeyId">The new current master key.</param>
/// <param name="Rewrapped">How many tenant data keys were re-wrapped with it.</param>
internal sealed record MasterKeyRotated(string MasterKeyId, int Rewrapped);

/// <summary>Confirmation of a data key's destruction: the tenant id again.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record DestroyDataKeyRequest(string? Confirm);
