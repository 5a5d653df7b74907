namespace Conversations.Contracts.Audit;

/// <summary>
/// The admin request a change belongs to: who asked, from where, for what. The API host puts it in the Orleans request
/// context for the length of the request; whatever the request changes (a grain's state, a row of our tables) writes
/// its audit entry from it, in the same transaction as the change.
/// </summary>
/// <param name="TenantId">The caller's tenant (null for an operator).</param>
/// <param name="KeyId">The caller's key (public id).</param>
/// <param name="UserId">The caller's user.</param>
/// <param name="ClientAddress">The client's address.</param>
/// <param name="Action">The entry's action, e.g. <c>admin.PutRole</c>.</param>
/// <param name="Target">What was asked: method and path.</param>
/// <param name="Request">The request body (JSON, secrets already hidden, large bodies as their digest), or null.</param>
[GenerateSerializer, Immutable, Alias("audited-request")]
public sealed record AuditedRequest(
    [property: Id(0)] string? TenantId,
    [property: Id(1)] string? KeyId,
    [property: Id(2)] string? UserId,
    [property: Id(3)] string? ClientAddress,
    [property: Id(4)] string Action,
    [property: Id(5)] string Target,
    [property: Id(6)] string? Request)
{
    private const string ContextKey = "conversations.audited-request";

    /// <summary>
    /// The admin request the current call belongs to, or null. It flows from the API host through every grain call the
    /// request makes; only API hosts and silos are Orleans clients, and the writer still checks the tenant it names.
    /// </summary>
    public static AuditedRequest? Current => RequestContext.Get(ContextKey) as AuditedRequest;

    /// <summary>Makes <paramref name="request"/> the current admin request (null clears it).</summary>
    public static void Set(AuditedRequest? request)
    {
        if (request is null) RequestContext.Remove(ContextKey);
        else RequestContext.Set(ContextKey, request);
    }

    /// <summary>True when this request may write the audit entry of a change to <paramref name="tenantId"/>'s data.</summary>
    public bool Covers(string tenantId) => TenantId is null || TenantId == tenantId;
}
