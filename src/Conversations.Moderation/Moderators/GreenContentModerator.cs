using Conversations.Moderation.Engine;
using Conversations.Moderation.Green;
using Conversations.Moderation.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Conversations.Moderation.Moderators;

/// <summary>Settings for combining Green with the built-in engine.</summary>
internal sealed record GreenModeratorOptions
{
    /// <summary>Green risk at or above which content is blocked (default high; Green advises review for medium).</summary>
    public RiskLevel BlockAtRisk { get; init; } = RiskLevel.High;
}

/// <summary>Built-in engine plus Green: Green adds its labels and risk, the highest risk and strongest action win.</summary>
/// <remarks>
/// The built-in engine runs first; if it already blocks, Green is not called (saves quota and time). When Green
/// fails (timeout, open circuit, quota, auth), the request's <see cref="GreenFailureMode"/> decides: fail open
/// returns the built-in verdict, fail closed refuses with a "service unavailable" message.
/// </remarks>
internal sealed partial class GreenContentModerator(
    BuiltInContentModerator builtIn, IGreenClient green, GreenModeratorOptions? options = null, ILogger<GreenContentModerator>? logger = null)
    : IContentModerator
{
    /// <summary>Name reported in <see cref="ModerationVerdict.Checkers"/>.</summary>
    public const string CheckerName = "green";

    /// <summary>Prefix of the labels Green gave text.</summary>
    public const string LabelPrefix = "green:";

    /// <summary>Prefix of the labels Green gave an image, so a refusal can say the image was the reason.</summary>
    public const string ImageLabelPrefix = ModerationVerdict.GreenImageLabelPrefix;

    private const string SafeLabel = "nonLabel";
    private readonly GreenModeratorOptions _options = options ?? new GreenModeratorOptions();
    private readonly ILogger _logger = logger ?? NullLogger<GreenContentModerator>.Instance;

    /// <inheritdoc />
    public Task<ModerationVerdict> CheckInputAsync(ModerationRequest request, CancellationToken cancellationToken = default) =>
        CheckAsync(request, ModerationPhase.Input, cancellationToken);

    /// <inheritdoc />
    public Task<ModerationVerdict> CheckOutputAsync(ModerationRequest request, CancellationToken cancellationToken = default) =>
        CheckAsync(request, ModerationPhase.Output, cancellationToken);

    private async Task<ModerationVerdict> CheckAsync(ModerationRequest request, ModerationPhase phase, CancellationToken cancellationToken)
    {
        var local = builtIn.Check(request, phase);
        if (local.IsBlocked)
            return local;
        var labels = new List<(string Label, double Confidence, string RiskWords, IReadOnlyList<CustomizedHit> Hits, RiskLevel Risk)>();
        RiskLevel greenRisk;
        try
        {
            var text = green.TextModerationPlusAsync(GreenApi.TextServiceFor(phase), request.Text, cancellationToken);
            var images = phase == ModerationPhase.Input
                ? request.ImageUrls.Select(url => green.ImageModerationAsync(url, GreenApi.BaselineCheck, null, cancellationToken)).ToArray()
                : [];
            var textResult = await text;
            greenRisk = RiskLevels.FromGreenString(textResult.RiskLevel);
            AddLabels(labels, textResult.Result, greenRisk);
            foreach (var image in await Task.WhenAll(images))
            {
                var imageRisk = RiskLevels.FromGreenString(image.RiskLevel);
                greenRisk = RiskLevels.Max(greenRisk, imageRisk);
                AddLabels(labels, image.Result, imageRisk, ImageLabelPrefix);
            }
        }
        catch (Exception e) when (IsGreenUnavailable(e, cancellationToken))
        {
            LogGreenUnavailable(_logger, phase, request.GreenFailureMode, e.GetType().Name, (e as GreenException)?.Code);
            if (request.GreenFailureMode == GreenFailureMode.FailOpen)
                return local with { GreenUnavailable = true };
            var refusal = RefusalMessages.For(RefusalClass.ServiceUnavailable, request.Question ?? request.Text, request.Seed);
            return local with { Action = ModerationAction.Block, SafeText = "", Refusal = refusal, GreenUnavailable = true };
        }

        var results = local.Results.Concat(labels.Select(l => new ModerationLabelResult(l.Label, l.Confidence, l.RiskWords, l.Hits, l.Risk))).ToArray();
        var risk = RiskLevels.Max(local.RiskLevel, greenRisk);
        var checkers = new[] { BuiltInContentModerator.CheckerName, CheckerName };
        if (greenRisk < _options.BlockAtRisk || greenRisk == RiskLevel.None)
            return local with { RiskLevel = risk, Results = results, Checkers = checkers };
        var top = labels.Where(l => l.Risk == greenRisk).Select(l => l.Label).FirstOrDefault() ?? "policy";
        var message = RefusalMessages.For(RefusalClassifier.ForLabel(top), request.Question ?? request.Text, request.Seed);
        return local with { Action = ModerationAction.Block, RiskLevel = risk, Results = results, SafeText = "", Refusal = message, Checkers = checkers };
    }

    internal static void AddLabels(
        List<(string, double, string, IReadOnlyList<CustomizedHit>, RiskLevel)> into, IReadOnlyList<GreenLabelResult>? results, RiskLevel risk,
        string prefix = LabelPrefix)
    {
        foreach (var r in results ?? [])
        {
            if (string.IsNullOrEmpty(r.Label) || r.Label == SafeLabel)
                continue;
            var hits = (r.CustomizedHit ?? []).Select(h => new CustomizedHit(h.LibName ?? "", h.KeyWords ?? "")).ToArray();
            into.Add((prefix + r.Label, r.Confidence ?? 0, r.RiskWords ?? "", hits, risk));
        }
    }

    /// <summary>Failures that mean "Green could not answer", as opposed to the caller cancelling.</summary>
    internal static bool IsGreenUnavailable(Exception e, CancellationToken cancellationToken) => e switch
    {
        GreenException or BrokenCircuitException or TimeoutRejectedException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Green unavailable in {Phase} check, failing {Mode}: {Error} (Code {Code})")]
    private static partial void LogGreenUnavailable(ILogger logger, ModerationPhase phase, GreenFailureMode mode, string error, string? code);
}
