namespace Conversations.Contracts.Images;

/// <summary>An image a user attached (uploaded, or fetched from a URL), as its owner sees it.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes: the key of the tenant's image blocklist.</param>
/// <param name="SourceUrl">The URL it was fetched from; null for an upload.</param>
public sealed record ImageInfo(string ImageId, string MediaType, int ByteSize, string Sha256, string? SourceUrl);

/// <summary>An entry of a tenant's image blocklist.</summary>
public sealed record BlockedImage(string Sha256, string Note, DateTimeOffset CreatedAt);

/// <summary>Why an image was not accepted; <see cref="Status"/> is the HTTP status it answers (400, 413, 415, 422).</summary>
/// <param name="message">What was wrong, for the user.</param>
/// <param name="status">The HTTP status.</param>
/// <param name="code">A stable code: image_too_large, image_type, image_invalid, image_url, image_blocked_address, image_fetch_failed.</param>
public sealed class ImageRejectedException(string code, string message, int status) : Exception(message)
{
    /// <summary>The stable code.</summary>
    public string Code { get; } = code;

    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The code of an image whose bytes start right but do not hold a whole image (cut short, damaged, forged).</summary>
    public const string InvalidCode = "image_invalid";
}

/// <summary>
/// Images in messages, a host service: uploads and fetched URLs are checked (size, type by their bytes, fetched
/// addresses against the image fetch policy) and stored sealed per tenant; reads are scoped to the owner.
/// </summary>
public interface IMessageImages
{
    /// <summary>The most images one message may carry.</summary>
    int MaxImagesPerMessage { get; }

    /// <summary>The largest image accepted, in bytes.</summary>
    int MaxImageBytes { get; }

    /// <summary>Checks and stores uploaded bytes; throws <see cref="ImageRejectedException"/> for a refused image.</summary>
    Task<ImageInfo> UploadAsync(string tenantId, string userId, byte[] content, string? declaredType, CancellationToken ct);

    /// <summary>Fetches an image URL (policy-checked at every connection and redirect, bounded in size and time), then stores it as an upload.</summary>
    Task<ImageInfo> FetchAsync(string tenantId, string userId, string url, CancellationToken ct);

    /// <summary>The owner's images among <paramref name="imageIds"/>, in the order asked; another user's or tenant's id is missing from the answer.</summary>
    Task<IReadOnlyList<ImageInfo>> FindAsync(string tenantId, string userId, IReadOnlyList<string> imageIds, CancellationToken ct);

    /// <summary>The bytes and type of one of the owner's images, or null.</summary>
    Task<(ImageInfo Info, byte[] Content)?> ReadAsync(string tenantId, string userId, string imageId, CancellationToken ct);

    /// <summary>
    /// A signed link an outside checker can fetch the image at without a key (valid for <c>Images:LinkLifetime</c>), or
    /// null when no public address is configured.
    /// </summary>
    Task<string?> PublicLinkAsync(string tenantId, string imageId, CancellationToken ct);

    /// <summary>The image a signed link names, or null when the link is unknown, forged or expired.</summary>
    Task<(ImageInfo Info, byte[] Content)?> ReadByLinkAsync(string tenantId, string imageId, long expires, string signature, CancellationToken ct);

    /// <summary>The tenant's image blocklist.</summary>
    Task<IReadOnlyList<BlockedImage>> ListBlockedAsync(string tenantId, CancellationToken ct);

    /// <summary>Adds a SHA-256 (lower-case hex) to the tenant's blocklist.</summary>
    Task BlockAsync(string tenantId, string sha256, string note, CancellationToken ct);

    /// <summary>Removes a SHA-256 from the tenant's blocklist; false when it was not there.</summary>
    Task<bool> UnblockAsync(string tenantId, string sha256, CancellationToken ct);
}
