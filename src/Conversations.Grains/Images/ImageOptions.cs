using Conversations.Routing.Endpoints;

namespace Conversations.Grains.Images;

/// <summary>Configuration section <c>Images</c>: limits on images in messages and the policy for fetching image URLs.</summary>
internal sealed class ImageOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Images";

    /// <summary>Default of <see cref="MaxImageBytes"/>: 5 MiB, what vision endpoints commonly accept per image.</summary>
    public const int DefaultMaxImageBytes = 5 * 1024 * 1024;

    /// <summary>Default of <see cref="MaxImagesPerMessage"/>.</summary>
    public const int DefaultMaxImagesPerMessage = 4;

    /// <summary>The largest image accepted (upload or fetched), in bytes.</summary>
    public int MaxImageBytes { get; set; } = DefaultMaxImageBytes;

    /// <summary>
    /// Most bytes of images one tenant may store (uploads and fetched URLs; the database is shared); an image that would
    /// pass it is refused with a 409 <c>image_quota_exceeded</c>. 0 for no limit. Default 20 GiB.
    /// </summary>
    public long MaxBytesPerTenant { get; set; } = 20L << 30;

    /// <summary>The most images one message may carry.</summary>
    public int MaxImagesPerMessage { get; set; } = DefaultMaxImagesPerMessage;

    /// <summary>How long fetching one image URL may take, redirects included.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The API's address as an outside image checker (Green) can reach it, such as <c>https://chat.example.com</c>. When
    /// set, an uploaded image is checked through a signed, short-lived link under it; unset, uploads get the local checks only.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>How long a signed image link stays valid.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Redirects followed when fetching an image URL, each one checked like the first URL.</summary>
    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// Which addresses image URLs may point at. Strict in every environment (https, public addresses only): a user
    /// names these URLs, so nothing is relaxed for development; an operator can admit hosts with <c>Images:Fetch:Allow</c>.
    /// </summary>
    public EndpointPolicyOptions Fetch { get; set; } = new();

    /// <summary>The first unusable setting; null when all are usable.</summary>
    public string? Problem() =>
        MaxImageBytes is < 1024 or > 50 * 1024 * 1024 ? $"{Section}:MaxImageBytes must be between 1 KiB and 50 MiB."
        : MaxImagesPerMessage is < 1 or > 16 ? $"{Section}:MaxImagesPerMessage must be between 1 and 16."
        : MaxBytesPerTenant < 0 ? $"{Section}:MaxBytesPerTenant cannot be negative (0 means no limit)."
        : FetchTimeout <= TimeSpan.Zero ? $"{Section}:FetchTimeout must be positive."
        : LinkLifetime <= TimeSpan.Zero ? $"{Section}:LinkLifetime must be positive."
        : PublicBaseUrl is { Length: > 0 } u && !Uri.TryCreate(u, UriKind.Absolute, out _) ? $"{Section}:PublicBaseUrl must be an absolute URL."
        : MaxRedirects is < 0 or > 10 ? $"{Section}:MaxRedirects must be between 0 and 10."
        : Fetch.Problem();
}
