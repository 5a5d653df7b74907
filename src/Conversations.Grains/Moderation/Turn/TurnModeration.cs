using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Images;
using Conversations.Contracts.Moderation;
using Conversations.Grains.Chat;
using Conversations.Grains.Moderation.Events;
using Conversations.Grains.Moderation.Lexicons;
using Conversations.Moderation;
using Conversations.Moderation.Engine;
using Conversations.Moderation.Green;
using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Messages;
using Conversations.Moderation.Pii;
using Conversations.Moderation.Moderators;
using Conversations.Moderation.Streaming;
using Conversations.Storage.Images;
using Conversations.Storage.Moderation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Moderation.Turn;

/// <summary>
/// Stages 2 and 7 of a chat turn: the question is checked (built-in engine with the tenant's lexicons, plus Green
/// when configured) before retrieval, the answer is filtered as it streams, findings become moderation events
/// (content masked), and the turn's real token count is charged to the user's and tenant's token limits.
/// Nothing here logs message text; only labels, risk and ids.
/// </summary>
internal sealed partial class TurnModeration(
    Func<IContentModerator> textCheckers,
    Func<IOutputWindowModerator> windowCheckers,
    ModerationEngine engine,
    TenantLexiconCache lexicons,
    ModerationEventWriter events,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<ModerationOptions> options,
    IOptions<GreenOptions> green,
    ImageStore imageStore,
    IMessageImages imageLinks,
    ILogger<TurnModeration> logger) : ITurnModeration
{
    /// <summary>The label of an image on the tenant's blocklist.</summary>
    public const string BlocklistLabel = "image_blocklist";
    // The checker name Green's findings carry in events (as the text checks write it).
    private const string GreenCheckerName = "green";

    private readonly ConcurrentDictionary<string, (ModerationSettings Settings, DateTimeOffset CheckAfter)> _settings = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<IModeratedTurn> CheckInputAsync(Caller caller, string conversationId, string turnId, string text, CancellationToken cancellationToken) =>
        CheckInputAsync(caller, conversationId, turnId, text, [], cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Images are checked locally first (the tenant's SHA-256 blocklist; type and size were checked when they were
    /// stored), then, with Green configured, those fetched from a URL go to Green's image moderation beside the text.
    /// An upload goes to Green as a signed, short-lived link to the API (<c>Images:PublicBaseUrl</c>); without that address
    /// it has no URL Green could fetch, and the local checks are all it gets.
    /// </remarks>
    public async Task<IModeratedTurn> CheckInputAsync(Caller caller, string conversationId, string turnId, string text, IReadOnlyList<TurnImage> images,
        CancellationToken cancellationToken)
    {
        var set = await lexicons.GetAsync(caller.TenantId);
        var settings = await SettingsAsync(caller.TenantId);
        var (inputMode, outputMode) = FailureModes(settings);
        var blocked = images.Count == 0 ? [] : await imageStore.BlockedAsync(caller.TenantId, images.Select(i => i.Sha256).Distinct().ToList(), cancellationToken);
        var request = new ModerationRequest(text, set)
        {
            Seed = turnId,
            Policy = PolicyOf(settings),
            GreenFailureMode = inputMode,
            ImageUrls = blocked.Count > 0 || !green.Value.IsConfigured ? [] : await ImageUrlsAsync(caller.TenantId, images, cancellationToken),
        };
        // Made per call: with Green configured it holds a typed HttpClient whose handlers the factory rotates.
        var verdict = await textCheckers().CheckInputAsync(request, cancellationToken);
        if (blocked.Count > 0 && !verdict.IsBlocked)
        {
            verdict = verdict with
            {
                Action = ModerationAction.Block,
                RiskLevel = RiskLevel.High,
                Results = [.. verdict.Results, new ModerationLabelResult(BlocklistLabel, 100, "", [], RiskLevel.High)],
                SafeText = "",
            };
        }
        var imageRefused = verdict.IsBlocked && verdict.Results.Any(r => r.Label == BlocklistLabel || r.Label.StartsWith(ModerationVerdict.GreenImageLabelPrefix, StringComparison.Ordinal));
        var labels = verdict.Results.Select(r => r.Label).Distinct(StringComparer.Ordinal).ToList();
        if (verdict.Results.Count > 0 || verdict.IsBlocked)
        {
            LogInput(logger, caller.TenantId, conversationId, turnId, verdict.Action, verdict.RiskLevelName, string.Join(',', labels));
            await WaitForEventAsync(events.RecordAsync(Event(caller, conversationId, turnId, "input", verdict.Action, verdict.RiskLevel, labels,
                verdict.Hits.Where(h => h.LibName is not null).Select(h => h.LibName!), verdict.Checkers, verdict.StorageText)));
        }
        if (verdict.IsBlocked)
        {
            var refusal = verdict.Refusal ?? RefusalMessages.For(RefusalClass.Policy, text, turnId);
            var code = imageRefused ? TurnErrorCodes.ImageRefused
                : verdict.GreenUnavailable && refusal.Class == RefusalClass.ServiceUnavailable ? TurnErrorCodes.ModerationUnavailable : TurnErrorCodes.InputRefused;
            var message = imageRefused ? RefusalMessages.ImageRefused(text) : refusal.Text;
            return new ModeratedTurn(this, caller, conversationId, turnId,
                new InputVerdict(false, verdict.StorageText, "", code, message, verdict.RiskLevelName, labels) { Retryable = code == TurnErrorCodes.ModerationUnavailable },
                set, RefusalMessages.WithheldNotice("").Trim(), null, text);
        }
        return new ModeratedTurn(this, caller, conversationId, turnId,
            new InputVerdict(true, verdict.StorageText, verdict.SafeText) { PersonalDataToModels = settings.PersonalDataToModels }, set,
            RefusalMessages.WithheldNotice(text).Trim(), outputMode, text);
    }

    /// <inheritdoc />
    public async Task<string> MaskForStorageAsync(string tenantId, string text, CancellationToken cancellationToken)
    {
        var set = await lexicons.GetAsync(tenantId);
        var policy = PolicyOf(await SettingsAsync(tenantId));
        return engine.Scan(text, set, ModerationPhase.Input, policy).MaskForStorage(text);
    }

    // What Green fetches: the URL the user gave, or for an upload a signed link to it (none without Images:PublicBaseUrl).
    private async Task<IReadOnlyList<string>> ImageUrlsAsync(string tenantId, IReadOnlyList<TurnImage> images, CancellationToken cancellationToken)
    {
        var urls = new List<string>();
        foreach (var image in images)
        {
            if ((image.SourceUrl ?? await imageLinks.PublicLinkAsync(tenantId, image.ImageId, cancellationToken)) is { } url) urls.Add(url);
        }
        return urls;
    }

    /// <inheritdoc />
    public IModeratedTurn OutputOnly(Caller caller, string conversationId, string turnId) =>
        new ModeratedTurn(this, caller, conversationId, turnId, InputVerdict.Pass(""),
            lexicons.Current(caller.TenantId) ?? CompiledLexiconSet.Platform, RefusalMessages.WithheldNotice("").Trim(), null, "");

    /// <inheritdoc />
    public async Task<IModeratedTurn> OutputOnlyAsync(Caller caller, string conversationId, string turnId) =>
        new ModeratedTurn(this, caller, conversationId, turnId, InputVerdict.Pass(""),
            await lexicons.GetAsync(caller.TenantId), RefusalMessages.WithheldNotice("").Trim(), null, "");

    /// <summary>
    /// A guard for one answer; its findings become an output event, handed to <paramref name="recorded"/> to await at the
    /// turn's finish. With <paramref name="outsideMode"/> (a model answer, Green configured) Green checks it in windows too.
    /// </summary>
    internal IOutputGuard Guard(Caller caller, string conversationId, string turnId, CompiledLexiconSet set, string withheldNotice,
        GreenFailureMode? outsideMode, string question, Action<Task> recorded)
    {
        var filter = new StreamingOutputFilter(engine, set, new StreamingFilterOptions
        {
            MaxHoldChars = options.Value.OutputMaxHoldChars,
            ForcedTailChars = options.Value.OutputForcedTailChars,
            Release = options.Value.OutputRelease,
            // The settings the question's check read (an answer always follows one); the default policy otherwise.
            Policy = _settings.TryGetValue(caller.TenantId, out var cached) ? PolicyOf(cached.Settings) : null,
        });
        var guard = new ModerationOutputGuard(filter, withheldNotice, findings =>
        {
            var labels = findings.Hits.Select(h => h.Label).Concat(findings.OutsideLabels).Distinct(StringComparer.Ordinal).ToList();
            LogOutput(logger, caller.TenantId, conversationId, turnId, findings.Action, findings.Risk.ToGreenString(), string.Join(',', labels));
            recorded(events.RecordAsync(Event(caller, conversationId, turnId, "output", findings.Action, findings.Risk, labels,
                findings.Hits.Where(h => h.LibName is not null).Select(h => h.LibName!),
                findings.CheckedOutside ? [BuiltInContentModerator.CheckerName, GreenCheckerName] : [BuiltInContentModerator.CheckerName],
                findings.StoredText)));
        });
        if (outsideMode is not { } mode) return guard;
        // Made per answer, like the text checker: it holds a typed HttpClient.
        var checker = windowCheckers();
        if (!checker.Enabled) return guard;
        var windows = new OutputWindowOptions
        {
            MinChars = options.Value.GreenWindowMinChars,
            MaxChars = Math.Max(options.Value.GreenWindowMinChars, options.Value.GreenWindowMaxChars),
            OverlapChars = options.Value.GreenWindowOverlapChars,
        };
        return guard.Watch(new OutputWindowWatch(checker, mode, windows), RefusalMessages.For(RefusalClass.ServiceUnavailable, question, turnId).Text);
    }

    /// <summary>Charges a finished turn's real token count to the user's and the tenant's token limits.</summary>
    internal async Task ChargeAsync(Caller caller, TurnUsage usage)
    {
        var tokens = usage.PromptTokens + usage.CompletionTokens;
        if (tokens <= 0) return;
        try
        {
            await grains.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(caller.TenantId, caller.UserId)).ChargeTokensAsync(tokens);
        }
        catch (Exception e)
        {
            // The answer is already delivered; a lost charge only makes the limit a little more lenient.
            LogChargeFailed(logger, caller.TenantId, tokens, e.Message);
        }
    }

    // The tenant's published contacts as the engine reads them, made once per settings version.
    private static readonly ConditionalWeakTable<ModerationSettings, ModerationPolicy> Policies = new();

    private static ModerationPolicy? PolicyOf(ModerationSettings settings) => settings.PublicContacts is not { Count: > 0 } contacts ? null
        : Policies.GetValue(settings, _ => ModerationPolicy.Default with { PublicContacts = new PublicContacts(contacts) });

    // The tenant's choices for a Green outage: (question, answer windows); both open while Green is not configured.
    private (GreenFailureMode Input, GreenFailureMode Output) FailureModes(ModerationSettings settings)
    {
        if (!green.Value.IsConfigured) return (GreenFailureMode.FailOpen, GreenFailureMode.FailOpen);
        return (Mode(settings.GreenFailureMode), Mode(settings.GreenOutputFailureMode));
        static GreenFailureMode Mode(string setting) => setting == ModerationSettings.FailClosed ? GreenFailureMode.FailClosed : GreenFailureMode.FailOpen;
    }

    // The tenant's settings (Green outage policy, personal data to models), cached per silo like the lexicon version.
    private async ValueTask<ModerationSettings> SettingsAsync(string tenantId)
    {
        var now = time.GetUtcNow();
        if (!_settings.TryGetValue(tenantId, out var cached) || now >= cached.CheckAfter)
        {
            cached = (await grains.GetGrain<ITenantModerationGrain>(tenantId).GetSettingsAsync(), now + options.Value.LexiconVersionCacheTime);
            _settings[tenantId] = cached;
        }
        return cached.Settings;
    }

    private ModerationEventRecord Event(Caller caller, string conversationId, string turnId, string phase, ModerationAction action, RiskLevel risk,
        IReadOnlyList<string> labels, IEnumerable<string> libraries, IReadOnlyList<string> checkers, string maskedContent) =>
        new(caller.TenantId, caller.UserId, conversationId, turnId, phase, action.ToString().ToLowerInvariant(), risk.ToGreenString(),
            labels, libraries.Distinct(StringComparer.Ordinal).ToList(), checkers, maskedContent, time.GetUtcNow());

    /// <summary>The event is durable once this returns; if the database is slow the turn goes on and the writer keeps retrying.</summary>
    internal async Task WaitForEventAsync(Task written)
    {
        try
        {
            await written.WaitAsync(options.Value.EventWriteWait);
        }
        catch (TimeoutException)
        {
            LogEventSlow(logger, options.Value.EventWriteWait.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Input of {TenantId}/{ConversationId} turn {TurnId}: {Action}, risk {Risk}, labels {Labels}")]
    private static partial void LogInput(ILogger logger, string tenantId, string conversationId, string turnId, ModerationAction action, string risk, string labels);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output of {TenantId}/{ConversationId} turn {TurnId}: {Action}, risk {Risk}, labels {Labels}")]
    private static partial void LogOutput(ILogger logger, string tenantId, string conversationId, string turnId, ModerationAction action, string risk, string labels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charging {Tokens} tokens to {TenantId} failed: {Error}")]
    private static partial void LogChargeFailed(ILogger logger, string tenantId, int tokens, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A moderation event was not written within {Seconds} s; it stays queued")]
    private static partial void LogEventSlow(ILogger logger, double seconds);
}
