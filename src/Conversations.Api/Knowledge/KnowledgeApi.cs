using System.ComponentModel.DataAnnotations;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Api.Moderation;
using Conversations.Contracts;
using Conversations.Contracts.Knowledge;
using Conversations.Knowledge.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Conversations.Contracts.Chat;

namespace Conversations.Api.Knowledge;

/// <summary>The knowledge base: documents and ACL (tenant admins), search (any user of the tenant).</summary>
internal static class KnowledgeApi
{
    /// <summary>Maps the routes under <c>/v1/knowledge</c> and <c>/v1/acl</c>.</summary>
    public static RouteGroupBuilder MapKnowledgeApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/knowledge/documents").WithTags("Knowledge base").RequireRoles(Roles.TenantAdmin);
        admin.MapPost("/", Upload).WithName("UploadDocuments")
            .WithSummary("Uploads a batch of text/Markdown documents (JSON or multipart). With Accept: application/x-ndjson, progress streams as it goes.")
            .WithMetadata(new RequestSizeLimitAttribute(UploadReader.MaxUploadBytes))
            .Accepts<UploadRequest>("application/json", "multipart/form-data")
            .Produces<UploadSummary>().Produces<IngestionProgress>(200, "application/x-ndjson").ProducesProblem(StatusCodes.Status409Conflict)
            .AddOpenApiOperationTransformer(OpenApi.UploadBodies.DescribeAsync);
        admin.MapPost("/lookup", Lookup).WithName("LookUpDocuments")
            .WithSummary("The document id an upload would give each file name, and the document stored under it now (left out when none): what the upload would replace or relabel. Changes nothing.");
        admin.MapGet("/", List).WithName("ListDocuments").WithSummary("The tenant's documents, each with its embedding model and how many of its chunks are not yet re-embedded with the configured one.");
        admin.MapGet("/{documentId}", Get).WithName("GetDocument").WithSummary("One document's metadata.");
        admin.MapDelete("/{documentId}", Delete).WithName("DeleteDocument")
            .WithSummary("Deletes a document and its chunks; 409 document_being_stored (with Retry-After) while a running upload is still storing it.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        v1.MapGroup("/knowledge/embeddings").WithTags("Knowledge base").RequireRoles(Roles.TenantAdmin)
            .MapGet("/", EmbeddingStatus).WithName("GetEmbeddingStatus")
            .WithSummary("The configured embedding model, how many documents and chunks are still being re-embedded with it after a model change, and the chunks held against the per-tenant limit.");

        var users = v1.MapGroup("/knowledge").WithTags("Knowledge base").RequireRoles(Roles.User, Roles.TenantAdmin);
        users.MapPost("/search", Search).WithName("SearchKnowledge").WithSummary("The chunks the caller may read that best answer a question.");
        // A search reaches the model-free half of a turn (moderation, ACL, retrieval): it counts against the same limits.
        users.CheckBodies<SearchRequest>(CheckSearch).RequireRateLimit<SearchRequest>(s => s.Question!);

        // What a citation opens: one passage, for a reader who may read it now (a separate group: no body, no rate limit).
        var passages = v1.MapGroup("/knowledge/passages").WithTags("Knowledge base").RequireRoles(Roles.User, Roles.TenantAdmin);
        passages.MapGet("/{documentId}/{chunkIndex:int}", Passage).WithName("GetPassage")
            .WithSummary("One passage of the knowledge base (a citation's documentId and chunkIndex), when the caller may read it; 404 otherwise.");

        v1.MapAclApi();
        return v1;
    }

    private static async Task<IResult> Upload(HttpContext http, IGrainFactory grains, CancellationToken ct)
    {
        // Read only as what it says it is: a body without a Content-Type is not taken for JSON.
        if (!http.Request.HasJsonContentType() && !http.Request.HasFormContentType)
            return Problems.UnsupportedMediaType(http.Request.ContentType, "application/json", "multipart/form-data");
        var docs = await UploadReader.ReadAsync(http.Request, ct);
        var progress = grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!).IngestAsync(docs, ct);
        if (http.Request.Headers.Accept.ToString().Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase))
            return new NdjsonResult<IngestionProgress>(progress,
                "The documents reported on the lines above as stored are stored; the others are not. Send the upload again: stored documents come back unchanged.");
        var results = new List<DocumentIngestResult>();
        var embedded = 0;
        await foreach (var p in progress.WithCancellation(ct))
        {
            if (p.Document is not null) results.Add(p.Document);
            embedded = p.ChunksEmbedded;
        }
        if (results.Count > 0 && results.All(r => r.Status == IngestStatus.Failed))
            return NothingStored(docs, results, http.Request.HasFormContentType);
        return TypedResults.Ok(new UploadSummary(results, embedded, await UnreadableLabelsAsync(grains, http.Caller().TenantId!, docs, results)));
    }

    // A label no role is granted (a typo, or a grant not made yet) leaves its documents stored and read by no one: the
    // summary names such labels, as the console warns after its upload.
    private static async Task<IReadOnlyList<string>> UnreadableLabelsAsync(
        IGrainFactory grains, string tenantId, IReadOnlyList<DocumentUpload> docs, List<DocumentIngestResult> results)
    {
        var stored = results.Where(r => r.Status != IngestStatus.Failed).Select(r => r.DocumentId).ToHashSet(StringComparer.Ordinal);
        var labels = docs.Where(d => d.DocumentId is not null && stored.Contains(d.DocumentId)).Select(d => d.Label).Distinct(StringComparer.Ordinal).ToList();
        if (labels.Count == 0) return [];
        var granted = (await grains.GetGrain<ITenantAclGrain>(tenantId).GetAsync()).Roles.SelectMany(r => r.Labels).ToHashSet(StringComparer.Ordinal);
        return labels.Where(l => !granted.Contains(l)).Order(StringComparer.Ordinal).ToList();
    }

    // An upload none of whose documents could be stored (each failed a check, or held no text) is the caller's 400, as
    // one refused before the grain is: naming the first document's field, and listing every document with its reason.
    private static ProblemHttpResult NothingStored(IReadOnlyList<DocumentUpload> docs, List<DocumentIngestResult> failed, bool form)
    {
        var first = failed[0];
        var index = docs.ToList().FindIndex(d => d.DocumentId == first.DocumentId);
        var checkedField = index < 0 ? null : DocumentRules.Problem(docs[index].DocumentId, docs[index].Title, docs[index].Label, docs[index].Content)?.Field;
        var member = checkedField switch { null => "content", "documentId" => "id", var f => f };
        var field = form ? checkedField == "label" ? "label" : "file" : $"documents[{Math.Max(index, 0)}].{member}";
        var where = form ? $"The file '{first.DocumentId}'" : field;
        return TypedResults.Problem($"No document of this upload can be stored. {where}: {first.Error}", statusCode: 400,
            title: "The request is not valid", type: "https://httpstatuses.io/400", extensions: new Dictionary<string, object?>
            {
                ["field"] = field,
                ["documents"] = failed.Select(f => new { documentId = f.DocumentId, error = f.Error }).ToList(),
            });
    }

    private static async Task<Results<Ok<DocumentPage>, ProblemHttpResult>> List(HttpContext http, IGrainFactory grains, string? cursor,
        [Range(1, 500, ErrorMessage = "limit must be between 1 and 500.")] int? limit)
    {
        // The cursor is the last listed document's id; anything that could not be one is no position in the list.
        if (cursor is not null && !DocumentRules.IsDocumentId(cursor)) return Problems.InvalidCursor();
        var take = limit ?? 50;
        var docs = await grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!).ListAsync(cursor, take);
        return TypedResults.Ok(new DocumentPage(docs, docs.Count == take ? docs[^1].DocumentId : null));
    }

    private static async Task<Ok<EmbeddingStatus>> EmbeddingStatus(HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!).GetEmbeddingStatusAsync());

    private static async Task<Results<Ok<DocumentInfo>, ProblemHttpResult>> Get(string documentId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!).GetAsync(documentId) is { } doc
            ? TypedResults.Ok(doc) : Problems.AdminNotFound($"Document '{documentId}'");

    // The upload's own naming rule (UploadReader.Slug), so a client asks before an upload instead of copying the rule.
    private static async Task<Results<Ok<DocumentLookupDto>, ProblemHttpResult>> Lookup(DocumentLookupRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (body?.FileNames is not { Count: > 0 } names) return Problems.BadRequest("fileNames must list at least one file name.", "fileNames");
        if (names.Count > DocumentRules.MaxDocumentsPerUpload)
            return Problems.BadRequest($"fileNames may list at most {DocumentRules.MaxDocumentsPerUpload} names, as many as one upload takes.", "fileNames");
        var files = new List<DocumentLookupResult>(names.Count);
        var kb = grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!);
        for (var i = 0; i < names.Count; i++)
        {
            var name = Path.GetFileName(names[i] ?? "");
            if (name.Length is 0 or > 255) return Problems.BadRequest($"fileNames[{i}] must be a file name of 1 to 255 characters.", "fileNames");
            var id = UploadReader.Slug(Path.GetFileNameWithoutExtension(name));
            if (id.Trim('.').Length == 0) return Problems.BadRequest($"fileNames[{i}]: '{name}' has no letters or digits to name a document by.", "fileNames");
            files.Add(new DocumentLookupResult(names[i]!, id, await kb.GetAsync(id)));
        }
        return TypedResults.Ok(new DocumentLookupDto(files));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string documentId, HttpContext http, IGrainFactory grains) =>
        await grains.GetGrain<IKnowledgeBaseGrain>(http.Caller().TenantId!).DeleteAsync(documentId)
            ? TypedResults.NoContent() : Problems.AdminNotFound($"Document '{documentId}'");

    private static async Task<Results<Ok<KnowledgeSearchDto>, ProblemHttpResult>> Search(SearchRequest? body, HttpContext http, IGrainFactory grains)
    {
        if (CheckSearch(body, http) is ProblemHttpResult problem) return problem;
        var caller = http.Caller().ToCaller();
        var topK = body!.TopK ?? 5;
        // The grain moderates as a chat turn does: the question like a chat question, each chunk like an answer.
        var search = await grains.GetGrain<IKnowledgeSearchGrain>(caller.TenantId).SearchAsync(caller, body.Question!, topK);
        return search.Result is { } result ? TypedResults.Ok(KnowledgeSearchDto.For(result, http.Caller().IsTenantAdmin)) : Refused(search);
    }

    private static async Task<Results<Ok<PassageDto>, ProblemHttpResult>> Passage(string documentId, int chunkIndex, HttpContext http, IGrainFactory grains)
    {
        var caller = http.Caller().ToCaller();
        // A passage of another tenant, or one the caller may not read, is simply not there: the same 404 for both.
        var passage = chunkIndex < 0 ? null : await grains.GetGrain<IKnowledgeSearchGrain>(caller.TenantId).GetPassageAsync(caller, documentId, chunkIndex);
        return passage is null
            ? Problems.NotFound("The passage")
            : TypedResults.Ok(new PassageDto(passage.DocumentId, passage.Title, passage.ChunkIndex, passage.Text,
                passage.Withheld, passage.Withheld ? PassageDto.WithheldNotice : null));
    }

    private static ProblemHttpResult? CheckSearch(SearchRequest? body, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(body?.Question)) return Problems.BadRequest("question is required, e.g. {\"question\": \"What is my bonus?\"}.");
        if (body.Question.Length > 4000) return Problems.BadRequest("question must be at most 4000 characters.", "question");
        return body.TopK is < 1 or > 50 ? Problems.BadRequest("topK must be a whole number from 1 to 50 (5 when left out).", "topK") : null;
    }

    // The same refusal a chat question gets, as a problem: 400 for a refused question, 503 while moderation is unreachable.
    private static ProblemHttpResult Refused(KnowledgeSearchResult search)
    {
        var unavailable = search.RefusalCode == TurnErrorCodes.ModerationUnavailable;
        return TypedResults.Problem(
            detail: search.RefusalMessage ?? "This question can't be searched.",
            statusCode: unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest,
            title: unavailable ? "Moderation is unavailable" : "The question was refused",
            type: $"https://httpstatuses.io/{(unavailable ? 503 : 400)}",
            extensions: new Dictionary<string, object?>
            {
                ["code"] = search.RefusalCode ?? TurnErrorCodes.InputRefused,
                ["riskLevel"] = search.RiskLevel,
                ["labels"] = search.Labels,
                ["retryable"] = unavailable,
            });
    }
}
