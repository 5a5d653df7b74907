using System.Security.Cryptography;
using System.Text.Json;
using Conversations.Api.Errors;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Images;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Images;

/// <summary>The images a message names, as the send routes take them: URLs to fetch and ids of uploads, checked and resolved to stored image ids.</summary>
internal static class MessageImageRefs
{
    /// <summary>Why the image fields of a message are not usable (count, forms), or null; checked before any limit is spent.</summary>
    public static ProblemHttpResult? Check(IReadOnlyList<string>? urls, IReadOnlyList<string>? ids, IMessageImages images)
    {
        var count = Count(urls, ids);
        if (count > images.MaxImagesPerMessage)
            return Problems.BadRequest($"The message has {count} images; the limit is {images.MaxImagesPerMessage} images a message.");
        if (urls?.Any(u => string.IsNullOrWhiteSpace(u) || u.Length > 2048) == true)
            return Problems.BadRequest("Each of imageUrls must be an http or https URL of at most 2,048 characters.");
        if (ids?.Any(i => !Ids.IsId(i)) == true)
            return Problems.BadRequest("Each of imageIds must be an id returned by POST /v1/images.");
        return null;
    }

    /// <summary>
    /// A digest of the image references as the request carries them (URLs, data URLs and ids, in order), for the
    /// turn's request fingerprint; null when it names none. Never stored as such: the grain keys it with the tenant's key.
    /// </summary>
    public static string? Digest(IReadOnlyList<string>? urls, IReadOnlyList<string>? ids) => Count(urls, ids) == 0 ? null
        : Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new[] { urls ?? [], ids ?? [] }))).ToLowerInvariant();

    /// <summary>The number of images a message names.</summary>
    public static int Count(IReadOnlyList<string>? urls, IReadOnlyList<string>? ids) => (urls?.Count ?? 0) + (ids?.Count ?? 0);

    /// <summary>
    /// Fetches the URLs (each checked against the image fetch policy; a refused image throws <see cref="ImageRejectedException"/>)
    /// and finds the ids among the caller's own images; an id of another user or tenant is the same 404 as an unknown one.
    /// </summary>
    public static async Task<(IReadOnlyList<string>? Ids, ProblemHttpResult? Problem)> ResolveAsync(
        IMessageImages images, Caller caller, IReadOnlyList<string>? urls, IReadOnlyList<string>? ids, CancellationToken ct)
    {
        if (Count(urls, ids) == 0) return (null, null);
        var resolved = new List<string>();
        if (ids is { Count: > 0 })
        {
            var found = await images.FindAsync(caller.TenantId, caller.UserId, ids, ct);
            if (ids.FirstOrDefault(id => found.All(f => f.ImageId != id)) is { } missing) return (null, Problems.NotFound($"The image '{missing}'"));
            resolved.AddRange(ids);
        }
        foreach (var url in urls ?? [])
            resolved.Add((await images.FetchAsync(caller.TenantId, caller.UserId, url.Trim(), ct)).ImageId);
        return (resolved, null);
    }
}
