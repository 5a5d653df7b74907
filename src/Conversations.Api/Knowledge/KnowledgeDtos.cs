using System.Text.Json.Serialization;
using Conversations.Contracts.Knowledge;

namespace Conversations.Api.Knowledge;

/// <summary>Body of PUT /v1/acl/roles/{role}.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PutRoleRequest(IReadOnlyList<string>? Includes, IReadOnlyList<string>? Labels);

/// <summary>Body of POST /v1/acl/roles/{role}/grants.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record GrantRequest(string? Label);

/// <summary>Body of PUT /v1/acl/users/{userId}/roles.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SetUserRolesRequest(IReadOnlyList<string>? Roles);

/// <summary>The ACL version after an edit.</summary>
internal sealed record AclVersionDto(long Version);

/// <summary>
/// A search's chunks. How it was planned (the plan, the ACL version, the share of the base the caller may read) is
/// for the tenant admin tuning retrieval: shown to a user it would tell them how much of the base is hidden from them.
/// </summary>
internal sealed record KnowledgeSearchDto(IReadOnlyList<KnowledgeChunk> Chunks)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Plan { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? AclVersion { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? AllowedShare { get; init; }

    public static KnowledgeSearchDto For(RetrievalResult result, bool admin) => admin
        ? new(result.Chunks) { Plan = result.Plan, AclVersion = result.AclVersion, AllowedShare = result.AllowedShare }
        : new(result.Chunks);
}

/// <summary>The labels a user may read now.</summary>
internal sealed record UserLabelsDto(string UserId, long AclVersion, IReadOnlyList<string> Labels);

/// <summary>
/// One document of a JSON upload; a missing id is made from the title. <c>documentId</c>, the name every answer gives
/// the id, is taken as the id too: a client that echoes it back must not get a document named after its title.
/// </summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record UploadDocumentDto(string? Id, string? Title, string? Label, string? Content, string? DocumentId = null);

/// <summary>Body of a JSON POST /v1/knowledge/documents.</summary>
internal sealed record UploadRequest(IReadOnlyList<UploadDocumentDto>? Documents);

/// <summary>What an upload did, per document.</summary>
/// <param name="UnreadableLabels">
/// The labels of this upload's stored documents that no role is granted: no user reads those documents until a role is
/// granted the label (POST /v1/acl/roles/{role}/grants). Empty when every stored document has a reader's role.
/// </param>
internal sealed record UploadSummary(
    IReadOnlyList<Conversations.Contracts.Knowledge.DocumentIngestResult> Documents, int ChunksEmbedded, IReadOnlyList<string> UnreadableLabels);

/// <summary>A page of documents.</summary>
internal sealed record DocumentPage(IReadOnlyList<Conversations.Contracts.Knowledge.DocumentInfo> Documents, string? NextCursor);

/// <summary>Body of POST /v1/knowledge/search.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record SearchRequest(string? Question, int? TopK);

/// <summary>One passage of the knowledge base, as a citation opens it (its text moderated for display).</summary>
/// <param name="Text">The passage, or when output moderation withheld part of it, the text before that part.</param>
/// <param name="Withheld">True when the rest of the passage was withheld.</param>
/// <param name="Notice">Says so in words for the reader when it was; null otherwise.</param>
internal sealed record PassageDto(string DocumentId, string Title, int ChunkIndex, string Text, bool Withheld = false, string? Notice = null)
{
    /// <summary>What a reader is told when part of a passage is withheld.</summary>
    public const string WithheldNotice = "The rest of this passage contains text your organisation does not allow to be shown.";
}

/// <summary>Body of POST /v1/knowledge/documents/lookup: the names of files about to be uploaded.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record DocumentLookupRequest(IReadOnlyList<string>? FileNames);

/// <summary>One file name, the document id an upload would give it, and the document stored under that id (left out when none).</summary>
internal sealed record DocumentLookupResult(string FileName, string DocumentId, DocumentInfo? Stored);

/// <summary>What an upload of the named files would replace.</summary>
internal sealed record DocumentLookupDto(IReadOnlyList<DocumentLookupResult> Files);
