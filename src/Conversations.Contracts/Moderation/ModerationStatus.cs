namespace Conversations.Contracts.Moderation;

/// <summary>
/// What the platform's configuration lets moderation check for a tenant, for its admins to see: whether Alibaba Green
/// checks questions and answers beside the built-in engine, and whether it checks images too.
/// </summary>
[GenerateSerializer, Immutable, Alias("moderation-status")]
public sealed record ModerationStatus(
    [property: Id(0)] bool GreenConfigured,
    [property: Id(1)] ImageModerationStatus ImageModeration);

/// <summary>
/// Whether Green checks every image of a question (uploads too); when not, <see cref="Reason"/> says why and what
/// images get instead (the built-in checks: type, size and the tenant's image blocklist).
/// </summary>
[GenerateSerializer, Immutable, Alias("image-moderation-status")]
public sealed record ImageModerationStatus(
    [property: Id(0)] bool Available,
    [property: Id(1)] string? Reason);
