using Conversations.Api.Errors;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Tenancy;

/// <summary>
/// A 404 naming the tenant for an operator route under <c>/v1/tenants/{tenantId}/…</c> whose tenant does not exist,
/// rather than an empty answer (or a change) for a mistyped or deleted id.
/// </summary>
internal sealed class ExistingTenantFilter : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var tenantId = http.Request.RouteValues["tenantId"] as string;
        var directory = http.RequestServices.GetRequiredService<ITenantDirectory>();
        if (!Ids.IsTenantId(tenantId) || !await directory.TenantExistsAsync(tenantId!, http.RequestAborted))
            return Problems.NotFound($"Tenant '{tenantId}'");
        return await next(context);
    }
}

/// <summary>Adds <see cref="ExistingTenantFilter"/> to a route.</summary>
internal static class ExistingTenantFilterExtensions
{
    /// <summary>Answers 404 unless the route's <c>{tenantId}</c> names an existing tenant.</summary>
    public static RouteHandlerBuilder RequireExistingTenant(this RouteHandlerBuilder route) => route.AddEndpointFilter(new ExistingTenantFilter());
}
