using System.Text.RegularExpressions;
using Conversations.Knowledge.Access;

namespace Conversations.Knowledge.Ingestion;

/// <summary>
/// What an uploaded document must be: the API checks an upload against it before any work starts, and ingestion checks
/// each document again (uploads come from JSON, so fields the types say are set may still be missing).
/// </summary>
public static partial class DocumentRules
{
    /// <summary>Most documents in one upload.</summary>
    public const int MaxDocumentsPerUpload = 1_000;

    /// <summary>Longest document, in characters.</summary>
    public const int MaxDocumentChars = 2_000_000;

    /// <summary>Longest title, in characters.</summary>
    public const int MaxTitleChars = 300;

    /// <summary>What is wrong with a document, as its field and a message; null when it can be ingested.</summary>
    public static (string Field, string Message)? Problem(string? documentId, string? title, string? label, string? content)
    {
        if (!IsDocumentId(documentId))
            return ("documentId", "documentId is required: 1–128 letters, digits, '.', '_' or '-', not dots alone (a path could never name it).");
        if (string.IsNullOrWhiteSpace(title) || title.Length > MaxTitleChars)
            return ("title", $"title is required (at most {MaxTitleChars} characters).");
        if (string.IsNullOrEmpty(label)) return ("label", "label is required: the access label readers need, such as compensation/staff.");
        try { AclNames.RequireLabel(label); }
        catch (ArgumentException e) { return ("label", e.Message); }
        if (content is null || content.Length > MaxDocumentChars)
            return ("content", $"content is required (at most {MaxDocumentChars:N0} characters).");
        return null;
    }

    /// <summary>Whether <paramref name="documentId"/> has the shape of a document id (a list's cursor is one).</summary>
    public static bool IsDocumentId(string? documentId) => documentId is not null && DocumentIdPattern().IsMatch(documentId);

    [GeneratedRegex(@"^(?!\.+\z)[A-Za-z0-9._-]{1,128}\z")]
    private static partial Regex DocumentIdPattern();
}
