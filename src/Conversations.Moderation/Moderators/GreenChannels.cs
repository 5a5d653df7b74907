using Conversations.Moderation.Engine;
using Conversations.Moderation.Green;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conversations.Moderation.Moderators;

/// <summary>One outside check of a piece of an answer or of an image.</summary>
/// <param name="Action">Allow or Block.</param>
/// <param name="RiskLevel">Green's risk (None when Green could not answer).</param>
/// <param name="Results">Green's labels, prefixed "green:".</param>
/// <param name="GreenUnavailable">Green could not answer; <paramref name="Action"/> then follows the failure mode.</param>
public sealed record ChannelVerdict(ModerationAction Action, RiskLevel RiskLevel, IReadOnlyList<ModerationLabelResult> Results, bool GreenUnavailable = false)
{
    /// <summary>True when the content must not be shown.</summary>
    public bool IsBlocked => Action == ModerationAction.Block;

    /// <summary>Nothing was checked, nothing found.</summary>
    public static ChannelVerdict Allowed { get; } = new(ModerationAction.Allow, RiskLevel.None, []);
}

/// <summary>Checks windows of an answer that is streaming (Green's <c>llm_response_moderation</c>).</summary>
public interface IOutputWindowModerator
{
    /// <summary>False when no outside checker is configured: callers skip windowing altogether.</summary>
    bool Enabled { get; }

    /// <summary>Checks one window; a Green failure gives <see cref="ChannelVerdict.GreenUnavailable"/> and follows <paramref name="failureMode"/>.</summary>
    Task<ChannelVerdict> CheckWindowAsync(string window, GreenFailureMode failureMode, CancellationToken cancellationToken = default);
}

/// <summary>An image to check: a URL Green can fetch (the platform's own signed URL for an upload).</summary>
/// <param name="ImageUrl">Public or signed URL of the image.</param>
/// <param name="DataId">The caller's id for the image (echoed by Green, kept in its console).</param>
/// <param name="FailureMode">What to do when Green cannot answer.</param>
internal sealed record ImageModerationRequest(string ImageUrl, string? DataId = null, GreenFailureMode FailureMode = GreenFailureMode.FailOpen)
{
    /// <summary>Green's image service; "baselineCheck" (the general baseline) by default.</summary>
    public string Service { get; init; } = GreenApi.BaselineCheck;
}

/// <summary>Checks an image (Green's <c>ImageModeration</c>); local checks (type, size, hash list) belong to the caller.</summary>
internal interface IImageModerator
{
    /// <summary>False when no outside checker is configured.</summary>
    bool Enabled { get; }

    /// <summary>Checks one image; blocked at or above the configured risk, or when Green fails and the mode is fail-closed.</summary>
    Task<ChannelVerdict> CheckImageAsync(ImageModerationRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What is wired when Green is not configured: nothing is checked outside.</summary>
internal sealed class NoOutsideModeration : IOutputWindowModerator, IImageModerator
{
    /// <inheritdoc cref="IOutputWindowModerator.Enabled" />
    public bool Enabled => false;

    /// <inheritdoc />
    public Task<ChannelVerdict> CheckWindowAsync(string window, GreenFailureMode failureMode, CancellationToken cancellationToken = default) =>
        Task.FromResult(ChannelVerdict.Allowed);

    /// <inheritdoc />
    public Task<ChannelVerdict> CheckImageAsync(ImageModerationRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(ChannelVerdict.Allowed);
}

/// <summary>Green behind the answer windows and images, with the same block threshold and failure handling as the text checks.</summary>
internal sealed partial class GreenChannelModerator(IGreenClient green, GreenModeratorOptions? options = null, ILogger<GreenChannelModerator>? logger = null)
    : IOutputWindowModerator, IImageModerator
{
    private readonly GreenModeratorOptions _options = options ?? new GreenModeratorOptions();
    private readonly ILogger _logger = logger ?? NullLogger<GreenChannelModerator>.Instance;

    /// <inheritdoc cref="IOutputWindowModerator.Enabled" />
    public bool Enabled => true;

    /// <inheritdoc />
    public Task<ChannelVerdict> CheckWindowAsync(string window, GreenFailureMode failureMode, CancellationToken cancellationToken = default) =>
        CheckAsync("output window", failureMode, async token =>
        {
            var result = await green.TextModerationPlusAsync(GreenApi.LlmResponseModeration, window, token);
            return (result.RiskLevel, result.Result);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ChannelVerdict> CheckImageAsync(ImageModerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.ImageUrl);
        return CheckAsync("image", request.FailureMode, async token =>
        {
            var result = await green.ImageModerationAsync(request.ImageUrl, request.Service, request.DataId, token);
            return (result.RiskLevel, result.Result);
        }, cancellationToken);
    }

    private async Task<ChannelVerdict> CheckAsync(
        string what, GreenFailureMode failureMode, Func<CancellationToken, Task<(string? Risk, IReadOnlyList<GreenLabelResult>? Labels)>> call,
        CancellationToken cancellationToken)
    {
        (string? Risk, IReadOnlyList<GreenLabelResult>? Labels) answer;
        try
        {
            answer = await call(cancellationToken);
        }
        catch (Exception e) when (GreenContentModerator.IsGreenUnavailable(e, cancellationToken))
        {
            LogUnavailable(_logger, what, failureMode, e.GetType().Name, (e as GreenException)?.Code);
            return new ChannelVerdict(failureMode == GreenFailureMode.FailClosed ? ModerationAction.Block : ModerationAction.Allow, RiskLevel.None, [], GreenUnavailable: true);
        }
        var risk = RiskLevels.FromGreenString(answer.Risk);
        var labels = new List<(string Label, double Confidence, string RiskWords, IReadOnlyList<CustomizedHit> Hits, RiskLevel Risk)>();
        GreenContentModerator.AddLabels(labels, answer.Labels, risk);
        var results = labels.Select(l => new ModerationLabelResult(l.Label, l.Confidence, l.RiskWords, l.Hits, l.Risk)).ToArray();
        var blocked = risk != RiskLevel.None && risk >= _options.BlockAtRisk;
        return new ChannelVerdict(blocked ? ModerationAction.Block : ModerationAction.Allow, risk, results);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Green unavailable in {What} check, failing {Mode}: {Error} (Code {Code})")]
    private static partial void LogUnavailable(ILogger logger, string what, GreenFailureMode mode, string error, string? code);
}
