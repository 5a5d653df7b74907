using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.DataRights;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.DataRights;

/// <summary>Body of POST /v1/exports: no user exports the whole tenant.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record StartExportRequest([System.ComponentModel.DataAnnotations.RegularExpression(Ids.IdPattern, ErrorMessage = "userId may use letters, digits, '.', '_', '-' and '@' (1–64 characters).")] string? UserId);

/// <summary>An export's progress; fetch <c>archiveUrl</c> when the status is <c>succeeded</c>.</summary>
internal sealed record ExportDto(string ExportId, string? UserId, string Status, int StepsDone, int StepsTotal, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, long? ArchiveBytes, string ArchiveUrl);

/// <summary>The tenant's exports, newest first.</summary>
internal sealed record ExportList(IReadOnlyList<ExportDto> Exports);

/// <summary>Exports of a tenant or one of its users as a zip archive (tenant admin).</summary>
internal static class DataExportApi
{
    /// <summary>Maps the routes under <c>/v1</c>.</summary>
    public static RouteGroupBuilder MapDataExportApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/exports").WithTags("Data rights").RequireRoles(Roles.TenantAdmin);
        admin.MapPost("/", Start).WithName("StartExport")
            .WithSummary("Starts an export of the tenant (or of one user with {\"userId\":…}): conversations, documents, settings, usage, audit.");
        admin.MapGet("/", List).WithName("ListExports")
            .WithSummary("The tenant's exports of the last seven days, newest first (?limit= 1 to 100, default 20), each as GET /v1/exports/{id} shows it.");
        admin.MapGet("/{exportId}", Get).WithName("GetExport").WithSummary("An export's progress (status running, succeeded, failed, or interrupted when its host stopped).");
        admin.MapPost("/{exportId}/restart", Restart).WithName("RestartExport")
            .WithSummary("Runs an interrupted or failed export again; 409 while it runs, once it succeeded, or while another export of the same scope runs.").RefusesBody();
        admin.MapGet("/{exportId}/archive", Archive).WithName("GetExportArchive")
            .WithSummary("The finished export as a zip archive; a Range request (with If-Range) resumes a cut download.")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/zip");
        return v1;
    }

    private static async Task<Results<Accepted<ExportDto>, ProblemHttpResult>> Start(StartExportRequest? body, HttpContext http, IDataRights rights, CancellationToken ct)
    {
        var caller = http.Caller();
        if (body?.UserId is "") return Problems.BadRequest("userId must name a user; leave it out to export the whole tenant.", "userId");
        var job = await rights.StartExportAsync(caller.TenantId!, body?.UserId, caller.ToActor(http), ct);
        if (job is null) return Problems.NotFound($"User '{body?.UserId}'");
        return TypedResults.Accepted($"/v1/exports/{job.ExportId}", ToDto(job));
    }

    private static async Task<Results<Accepted<ExportDto>, ProblemHttpResult>> Restart(string exportId, HttpContext http, IDataRights rights, CancellationToken ct)
    {
        var caller = http.Caller();
        if (exportId.Length > 64 || await rights.GetExportAsync(caller.TenantId!, exportId, ct) is not { } current) return Problems.NotFound($"Export '{exportId}'");
        if (await rights.RestartExportAsync(caller.TenantId!, exportId, caller.ToActor(http), ct) is not { } job)
            return Problems.Conflict(current.Status switch
            {
                "succeeded" => "This export succeeded; fetch its archive.",
                "running" => "This export is still running.",
                _ => "Another export of the same scope is running; wait for it (GET /v1/exports/{id}) and fetch its archive instead.",
            });
        return TypedResults.Accepted($"/v1/exports/{job.ExportId}", ToDto(job));
    }

    private static async Task<Ok<ExportList>> List(HttpContext http, IDataRights rights,
        [System.ComponentModel.DataAnnotations.Range(1, 100, ErrorMessage = "limit must be between 1 and 100.")] int? limit, CancellationToken ct) =>
        TypedResults.Ok(new ExportList([.. (await rights.ListExportsAsync(http.Caller().TenantId!, limit ?? 20, ct)).Select(ToDto)]));

    private static async Task<Results<Ok<ExportDto>, ProblemHttpResult>> Get(string exportId, HttpContext http, IDataRights rights, CancellationToken ct) =>
        exportId.Length <= 64 && await rights.GetExportAsync(http.Caller().TenantId!, exportId, ct) is { } job
            ? TypedResults.Ok(ToDto(job)) : Problems.NotFound($"Export '{exportId}'");

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Archive(string exportId, HttpContext http, IDataRights rights, IAuditLog audit, CancellationToken ct)
    {
        var tenant = http.Caller().TenantId!;
        if (exportId.Length > 64 || await rights.GetExportAsync(tenant, exportId, ct) is not { } job) return Problems.NotFound($"Export '{exportId}'");
        if (job.Status != "succeeded")
            return Problems.Conflict(job.Status switch
            {
                "failed" => "This export failed; restart it or start a new one.",
                "interrupted" => job.Error ?? "This export was interrupted; restart it.",
                _ => "This export is still running; poll its progress and fetch the archive when it has succeeded.",
            });
        if (await rights.OpenArchiveAsync(tenant, exportId, ct) is not { } archive) return Problems.NotFound($"Export '{exportId}'");
        try
        {
            await audit.AppendAsync(tenant, http.Caller().ToActor(http), "export.download", $"export:{exportId}", null, null, ct);
        }
        catch
        {
            await archive.DisposeAsync();
            throw;
        }
        // Read a part at a time as it is sent, with its length; a cut download resumes with a Range request (If-Range
        // with the ETag or date keeps a resumed download from mixing two archives).
        return TypedResults.Stream(archive, "application/zip", $"{exportId}.zip", job.CompletedAt,
            new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{exportId}-{archive.Length}\""), enableRangeProcessing: true);
    }

    private static ExportDto ToDto(DataExportInfo j) =>
        new(j.ExportId, j.UserId, j.Status, j.StepsDone, j.StepsTotal, j.Error, j.CreatedAt, j.CompletedAt, j.ArchiveBytes, $"/v1/exports/{j.ExportId}/archive");
}
