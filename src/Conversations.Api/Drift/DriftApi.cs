using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Drift;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Drift;

/// <summary>New drift thresholds; omitted fields keep their current values.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record DriftThresholdsBody(
    double? TopicPsi, double? CentroidShift, double? SpreadRatio, double? LanguagePsi, double? QuestionLengthPsi, double? AnswerLengthPsi,
    double? RefusalRateIncrease, double? NoSourcesRateIncrease, double? FallbackRateIncrease, double? NegativeFeedbackRateIncrease,
    int? MinSamples, int? ReferenceSamples, int? CheckPeriodMinutes);

/// <summary>
/// Drift detection: a tenant admin reads the tenant's sketch, sets thresholds, names the reference window, runs a check
/// now (besides the scheduled one) and pages through the drift events; the operator pages through every tenant's.
/// </summary>
internal static class DriftApi
{
    /// <summary>Maps the routes under <c>/v1/drift</c>.</summary>
    public static RouteGroupBuilder MapDriftApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/drift").WithTags("Drift").RequireRoles(Roles.TenantAdmin);
        admin.MapGet("", Status).WithName("GetDriftStatus")
            .WithSummary("The tenant's drift sketch: thresholds, the reference window, the current window's size and the last check.");
        admin.MapPut("/thresholds", SetThresholds).WithName("SetDriftThresholds")
            .WithSummary("Sets drift thresholds, sample sizes and the check period (minutes); omitted fields keep their values.");
        admin.MapPost("/check", Check).WithName("CheckDrift")
            .WithSummary("Compares the current window with the reference now (as the schedule does); a breach is stored as a drift event. A compared window starts over.").RefusesBody();
        admin.MapPost("/reference", SetReference).WithName("SetDriftReference")
            .WithSummary("Makes the current window the reference (it needs at least minSamples questions).")
            .ProducesProblem(StatusCodes.Status409Conflict).RefusesBody();
        v1.MapGet("/drift/events", Events).WithTags("Drift").RequireRoles(Roles.TenantAdmin, Roles.Operator).WithName("ListDriftEvents")
            .WithSummary("Drift events newest first: the tenant's own for a tenant admin; every tenant's (or ?tenantId=) for the operator. Page with ?before=.");
        return v1;
    }

    private static async Task<Ok<DriftStatus>> Status(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await Grain(http, grains).GetStatusAsync());

    private static async Task<Ok<DriftReport>> Check(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await Grain(http, grains).CheckAsync());

    private static async Task<Results<Ok<DriftStatus>, ProblemHttpResult>> SetReference(HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(http, grains);
        if (!await grain.SetReferenceAsync())
            return Problems.Conflict($"The current window has too few questions to be the reference (minSamples is {(await grain.GetStatusAsync()).Thresholds.MinSamples}).");
        return TypedResults.Ok(await grain.GetStatusAsync());
    }

    private static async Task<Results<Ok<DriftStatus>, ProblemHttpResult>> SetThresholds(DriftThresholdsBody? body, HttpContext http, IGrainFactory grains)
    {
        if (body is null) return Problems.BadRequest("A JSON body with the thresholds to change is required.");
        var grain = Grain(http, grains);
        var t = (await grain.GetStatusAsync()).Thresholds;
        var next = t with
        {
            TopicPsi = body.TopicPsi ?? t.TopicPsi, CentroidShift = body.CentroidShift ?? t.CentroidShift, SpreadRatio = body.SpreadRatio ?? t.SpreadRatio,
            LanguagePsi = body.LanguagePsi ?? t.LanguagePsi, QuestionLengthPsi = body.QuestionLengthPsi ?? t.QuestionLengthPsi,
            AnswerLengthPsi = body.AnswerLengthPsi ?? t.AnswerLengthPsi, RefusalRateIncrease = body.RefusalRateIncrease ?? t.RefusalRateIncrease,
            NoSourcesRateIncrease = body.NoSourcesRateIncrease ?? t.NoSourcesRateIncrease, FallbackRateIncrease = body.FallbackRateIncrease ?? t.FallbackRateIncrease,
            NegativeFeedbackRateIncrease = body.NegativeFeedbackRateIncrease ?? t.NegativeFeedbackRateIncrease,
            MinSamples = body.MinSamples ?? t.MinSamples, ReferenceSamples = body.ReferenceSamples ?? t.ReferenceSamples,
            CheckPeriodMinutes = body.CheckPeriodMinutes ?? t.CheckPeriodMinutes,
        };
        // The grain validates (ArgumentException: a 400 naming the field).
        return TypedResults.Ok(await grain.SetThresholdsAsync(next));
    }

    private static async Task<Results<Ok<DriftEventPage>, ProblemHttpResult>> Events(HttpContext http, IDriftEventLog log, ITenantDirectory directory, string? tenantId, long? before,
        [Range(1, 200, ErrorMessage = "limit must be between 1 and 200.")] int? limit, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.Role != Roles.Operator)
        {
            // A tenant admin sees the own tenant only; naming another one finds nothing.
            if (tenantId is not null && tenantId != caller.TenantId) return Problems.AdminNotFound($"Tenant '{tenantId}'");
            tenantId = caller.TenantId;
        }
        else if (tenantId is not null && (!Ids.IsTenantId(tenantId) || !await directory.TenantExistsAsync(tenantId, ct))) return Problems.AdminNotFound($"Tenant '{tenantId}'");
        return TypedResults.Ok(await log.ListAsync(tenantId, before, limit ?? 50, ct));
    }

    private static IDriftGrain Grain(HttpContext http, IGrainFactory grains) => grains.GetGrain<IDriftGrain>(http.Caller().TenantId!);
}
