using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conversations.Contracts.Knowledge;
using Conversations.Knowledge.Ingestion;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Knowledge;

/// <summary>
/// Reads a batch upload: a JSON body <c>{"documents": [{id, title, label, content}]}</c>, or multipart/form-data with
/// text/Markdown files and a <c>label</c> field (id from the file name, title from the first heading or the file name).
/// </summary>
internal static partial class UploadReader
{
    /// <summary>Largest upload request.</summary>
    public const long MaxUploadBytes = 64L << 20;

    private static readonly string[] TextExtensions = [".txt", ".md", ".markdown", ".text"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The documents of the request; throws <see cref="ArgumentException"/> (→ 400) for an unusable body.</summary>
    public static async Task<IReadOnlyList<DocumentUpload>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType) return UsableOrThrow(await ReadFormAsync(request, ct), form: true);
        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        UploadRequest? body;
        try { body = await JsonSerializer.DeserializeAsync<UploadRequest>(request.Body, json, ct); }
        catch (JsonException e) when (e is not Errors.UnstorableTextException) { throw new ArgumentException($"The body is not valid JSON ({e.Message.Split(" Path:")[0]})."); }
        if (body?.Documents is not { Count: > 0 } docs)
            throw new ArgumentException("Send {\"documents\": [{\"id\", \"title\", \"label\", \"content\"}]} or multipart files with a 'label' field.");
        for (var i = 0; i < docs.Count; i++)
        {
            if (docs[i] is null) throw new ArgumentException($"documents[{i}] must be a document, not null.");
            if (docs[i] is { Id: { } id, DocumentId: { } documentId } && id != documentId)
                throw new ArgumentException($"documents[{i}] names two ids, id '{id}' and documentId '{documentId}': send one.");
        }
        return UsableOrThrow(docs.Select(d => new DocumentUpload(
            d.Id ?? d.DocumentId ?? Slug(d.Title ?? ""), d.Title?.Trim() ?? "", d.Label?.Trim() ?? "", d.Content ?? "")).ToList(), form: false);
    }

    // An upload none of whose documents can be stored is refused as a whole, naming the first problem, rather than
    // answered 200 with a list of failures; one with some usable documents stores those and reports the others.
    private static IReadOnlyList<DocumentUpload> UsableOrThrow(IReadOnlyList<DocumentUpload> docs, bool form)
    {
        var problems = docs.Select(d => DocumentRules.Problem(d.DocumentId, d.Title, d.Label, d.Content)).ToList();
        if (problems.Count == 0 || problems.Any(p => p is null)) return docs;
        var (field, message) = problems[0]!.Value;
        var where = form ? field == "label" ? "The 'label' field" : $"The file '{docs[0].DocumentId}'"
            : $"documents[0].{(field == "documentId" ? "id" : field)}";
        throw new ArgumentException($"No document of this upload can be stored. {where}: {message}");
    }

    private static async Task<IReadOnlyList<DocumentUpload>> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        IFormCollection form;
        try { form = await request.ReadFormAsync(ct); }
        // A multipart body with no boundary, cut short, or past a form limit is the client's (a bare 500 before);
        // the server's own refusals (a body too large or too slow) keep their status.
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException(e.Message, StatusCodes.Status413PayloadTooLarge, e);
        }
        catch (InvalidDataException e) { throw new ArgumentException($"The multipart body is malformed ({e.Message}). Send multipart/form-data with a boundary, a 'label' field and .txt or .md files."); }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            throw new ArgumentException("The multipart body ended before its closing boundary: the upload was cut short. Send it again.");
        }
        // Form fields and files bypass the JSON converter that checks bodies, so they are checked here.
        foreach (var (key, values) in form)
            if (!Errors.StorableText.IsStorable(key) || values.Any(v => !Errors.StorableText.IsStorable(v))) throw Unstorable($"The form field '{key.Replace("\0", "", StringComparison.Ordinal)}'");
        var label = form["label"].ToString().Trim();
        if (label.Length == 0) throw new ArgumentException("A multipart upload needs a 'label' field for its files.");
        if (form.Files.Count == 0) throw new ArgumentException("The multipart upload has no files.");
        var docs = new List<DocumentUpload>();
        foreach (var file in form.Files)
        {
            var name = Path.GetFileName(file.FileName);
            if (!Errors.StorableText.IsStorable(name)) throw Unstorable("A file name");
            var ext = Path.GetExtension(name).ToLowerInvariant();
            if (ext.Length > 0 && !TextExtensions.Contains(ext))
                throw new ArgumentException($"'{name}' is not a text or Markdown file (.txt, .md).");
            var content = await ReadTextAsync(file, name, ct);
            var stem = Path.GetFileNameWithoutExtension(name);
            if (Slug(stem).Length == 0) throw new ArgumentException($"'{name}' has no letters or digits to name the document by. Rename the file and upload it again.");
            var heading = content.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal));
            docs.Add(new DocumentUpload(Slug(stem), heading?[2..].Trim() ?? stem, label, content));
        }
        return docs;
    }

    private static ArgumentException Unstorable(string field) => new(Errors.StorableText.NulDetail(field));

    // UTF-8 (or UTF-16/32 with a byte order mark); anything else is refused by name instead of being stored as
    // replacement characters: a GBK or Latin-1 file would otherwise be indexed as unreadable text.
    private static async Task<string> ReadTextAsync(IFormFile file, string name, CancellationToken ct)
    {
        using var reader = new StreamReader(file.OpenReadStream(), StrictUtf8, detectEncodingFromByteOrderMarks: true);
        string content;
        try { content = await reader.ReadToEndAsync(ct); }
        catch (DecoderFallbackException) { throw new ArgumentException($"'{name}' is not UTF-8 text. Save it with the encoding UTF-8 and upload it again."); }
        return Errors.StorableText.IsStorable(content) ? content
            : throw new ArgumentException($"'{name}' looks like a binary file, not text. Upload text or Markdown files (.txt, .md) saved as UTF-8.");
    }

    /// <summary>
    /// A document id from a title or file name: letters, digits, '.', '_', '-' (others become '-'). A name with letters
    /// an id cannot hold (员工手册, Café) gets a short hash of the whole name, so two such names never share an id and
    /// the same name always gets the same one.
    /// </summary>
    public static string Slug(string text)
    {
        var name = text.Trim();
        var slug = InvalidIdChars().Replace(name.ToLowerInvariant(), "-").Trim('-');
        if (!name.Any(c => c > 127 && char.IsLetterOrDigit(c))) return slug.Length > 128 ? slug[..128] : slug;
        if (slug.Length > 116) slug = slug[..116].TrimEnd('-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..10];
        return (slug.Length > 0 ? slug : "doc") + "-" + hash;
    }

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex InvalidIdChars();
}
