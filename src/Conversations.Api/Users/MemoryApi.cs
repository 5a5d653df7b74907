using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Users;

/// <summary>The caller's long-term memory: what the assistant remembers about them, and how to make it forget.</summary>
internal static class MemoryApi
{
    /// <summary>Maps the routes under <c>/v1/me/memory</c>.</summary>
    public static RouteGroupBuilder MapMemoryApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/me/memory").WithTags("Memory").RequireRoles(Roles.User, Roles.TenantAdmin);
        group.MapGet("/", Get).WithName("GetMemory").WithSummary("What the assistant remembers about the caller across conversations.");
        group.MapDelete("/{factId}", Forget).WithName("ForgetFact").WithSummary("Forgets one remembered fact.");
        group.MapDelete("/", ForgetAll).WithName("ForgetAll").WithSummary("Forgets everything remembered about the caller.");
        return v1;
    }

    private static IUserGrain Grain(HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        return grains.GetGrain<IUserGrain>(GrainKeys.Scoped(caller.TenantId, caller.UserId));
    }

    private static async Task<Ok<IReadOnlyList<MemoryFactInfo>>> Get(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await Grain(http, grains).GetMemoryAsync());

    private static async Task<Results<NoContent, ProblemHttpResult>> Forget(string factId, HttpContext http, IGrainFactory grains) =>
        await Grain(http, grains).ForgetAsync(factId) ? TypedResults.NoContent() : Problems.NotFound($"Fact '{factId}'");

    private static async Task<NoContent> ForgetAll(HttpContext http, IGrainFactory grains)
    {
        await Grain(http, grains).ForgetAllAsync();
        return TypedResults.NoContent();
    }
}
