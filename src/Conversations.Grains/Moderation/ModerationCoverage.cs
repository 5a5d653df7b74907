using Conversations.Contracts.Moderation;
using Conversations.Grains.Images;
using Conversations.Moderation.Green;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Moderation;

/// <summary>
/// What moderation can check with this configuration. Green checks an image by fetching its URL: an upload has one
/// only under <c>Images:PublicBaseUrl</c> (a signed link to the API), so without that address uploads get the built-in
/// checks alone. Shown to tenant admins (<c>GET /v1/moderation/status</c>) and warned about at start, never silent.
/// </summary>
internal static class ModerationCoverage
{
    /// <summary>Why images are not checked by Green when Green itself is not configured.</summary>
    public const string GreenNotConfigured =
        "Alibaba Green is not configured (Moderation:Green), so images get the built-in checks only: type, size and the tenant's image blocklist.";

    /// <summary>Why uploaded images are not checked by Green although Green is configured.</summary>
    public const string NoPublicAddress =
        "Uploaded images cannot be checked by Alibaba Green: Green fetches each image by URL, and the platform has no public address "
        + "for uploads (Images:PublicBaseUrl is not set). Uploads get the built-in checks only (type, size and the tenant's image "
        + "blocklist); images sent by URL are still checked by Green.";

    /// <summary>The status for a configuration.</summary>
    public static ModerationStatus Of(GreenOptions green, ImageOptions images) => new(green.IsConfigured, new ImageModerationStatus(
        green.IsConfigured && !UploadsUnreachable(green, images),
        !green.IsConfigured ? GreenNotConfigured : UploadsUnreachable(green, images) ? NoPublicAddress : null));

    /// <summary>True when Green is configured and has no URL for uploads.</summary>
    public static bool UploadsUnreachable(GreenOptions green, ImageOptions images) =>
        green.IsConfigured && string.IsNullOrWhiteSpace(images.PublicBaseUrl);
}

/// <summary>Says at start, as a warning, that Green is configured and uploads cannot reach it (<see cref="ModerationCoverage"/>).</summary>
internal sealed partial class ModerationCoverageCheck(IOptions<GreenOptions> green, IOptions<ImageOptions> images, ILogger<ModerationCoverageCheck> logger)
    : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ModerationCoverage.UploadsUnreachable(green.Value, images.Value)) LogUploadsUnchecked(logger, ModerationCoverage.NoPublicAddress);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image moderation is unavailable for uploads. {Reason} Set Images:PublicBaseUrl to the API's address as Green can reach it.")]
    private static partial void LogUploadsUnchecked(ILogger logger, string reason);
}
