namespace Conversations.Contracts.Knowledge;

/// <summary>
/// A delete named a document that a running upload is still embedding or storing. Deleting only what is stored now
/// would answer "not found" (or delete the old version) and let the upload store the document right after, so the
/// delete is refused until the upload has finished with it.
/// </summary>
[GenerateSerializer, Alias("DocumentBeingStoredException")]
public sealed class DocumentBeingStoredException : Exception
{
    /// <summary>Creates the exception for <paramref name="documentId"/>.</summary>
    public DocumentBeingStoredException(string documentId)
        : base($"Document '{documentId}' is still being stored by a running upload, so it cannot be deleted yet. "
            + "Delete it again once the upload has finished (or cancel the upload).")
    {
        DocumentId = documentId;
    }

    /// <summary>The document's id.</summary>
    [Id(0)] public string DocumentId { get; private set; }
}
