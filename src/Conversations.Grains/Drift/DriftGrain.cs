using Conversations.Contracts.Drift;
using Conversations.Contracts.Feedback;
using Conversations.Grains.Knowledge;
using Conversations.Grains.Telemetry;
using Conversations.Routing.Drift;
using Conversations.Storage.Drift;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Drift;

/// <summary>A tenant's drift sketch as stored (sealed with the tenant's key, like all tenant grain state).</summary>
[GenerateSerializer, Alias("drift-state")]
internal sealed class DriftGrainState
{
    /// <summary>Thresholds and schedule.</summary>
    [Id(0)] public DriftSettings Settings { get; set; } = new();
    /// <summary>The reference window; null until the first window fills or an admin sets one.</summary>
    [Id(1)] public DriftReference? Reference { get; set; }
    /// <summary>The current window.</summary>
    [Id(2)] public DriftWindow Window { get; set; } = new();
    /// <summary>The last check's report.</summary>
    [Id(3)] public DriftReport? LastReport { get; set; }
}

/// <summary>
/// A tenant's drift sketch (see <see cref="IDriftGrain"/>). Not reentrant: samples, checks and the reference change
/// one at a time. Questions without an embedding wait in memory and are embedded in batches; the state is written
/// every <see cref="WriteEvery"/> samples, on checks and on deactivation (a crash loses at most that many samples of
/// a statistic, never a turn).
/// </summary>
internal sealed partial class DriftGrain(
    [PersistentState("drift", "store")] IPersistentState<DriftGrainState> state,
    DriftEventStore events,
    IFeedbackLog feedback,
    QuestionEmbeddings embeddings,
    TimeProvider time,
    ILogger<DriftGrain> logger) : Grain, IDriftGrain, IRemindable
{
    /// <summary>Samples between state writes.</summary>
    public const int WriteEvery = 50;

    /// <summary>Questions waiting for an embedding before a batch is made.</summary>
    public const int EmbedBatch = 16;

    /// <summary>Most questions waiting for an embedding; more are counted without one.</summary>
    public const int MaxPending = 256;

    private const string CheckReminder = "drift-check";
    private readonly List<DriftSample> _pending = [];
    private readonly HashSet<string> _forgotten = new(StringComparer.Ordinal); // users erased while this activation ran
    private readonly Random _random = new();
    private int _unsaved;
    private bool _scheduled;
    private string _tenantId = "";

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _tenantId = this.GetPrimaryKeyString();
        if (state.State.Window.StartedAt == default) state.State.Window.StartedAt = time.GetUtcNow();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync();
            if (_unsaved > 0) await state.WriteStateAsync(cancellationToken);
        }
        catch (Conversations.Contracts.Encryption.TenantDataUnreadableException)
        {
            // The tenant was deleted (its data key with it): there is nothing left to keep its figures for.
        }
        catch (Exception e)
        {
            LogSaveFailed(logger, _tenantId, e);
        }
    }

    /// <inheritdoc />
    public async Task RecordManyAsync(IReadOnlyList<DriftSample> samples)
    {
        await EnsureScheduledAsync();
        foreach (var sample in samples)
        {
            if (sample.UserId is { } user && _forgotten.Contains(user)) continue; // sent before the user's erasure, arrived after
            if (sample.Vector is { Length: > 0 } || sample.TextToEmbed is null || _pending.Count >= MaxPending) await AddAsync(sample, sample.Vector);
            else _pending.Add(sample);
            if (_pending.Count >= EmbedBatch) await FlushAsync();
        }
        if (_unsaved >= WriteEvery) await SaveAsync();
    }

    /// <inheritdoc />
    public async Task<int> ForgetUserAsync(string userId)
    {
        _forgotten.Add(userId);
        // Questions still waiting for an embedding are counted without one; sampled embeddings go, the counts stay.
        var waiting = _pending.Where(s => s.UserId == userId).ToList();
        _pending.RemoveAll(s => s.UserId == userId);
        foreach (var sample in waiting) await AddAsync(sample with { Vector = null, TextToEmbed = null }, null);
        var removed = state.State.Window.Forget(userId);
        // Written now, before the erasure's transaction scrubs the stored state: an older copy must not come back later.
        if (removed > 0 || _unsaved > 0) await SaveAsync();
        return removed + waiting.Count;
    }

    /// <inheritdoc />
    public async Task<DriftReport> CheckAsync()
    {
        await EnsureScheduledAsync();
        await FlushAsync();
        var s = state.State;
        var now = time.GetUtcNow();
        DriftReport report;
        if (s.Reference is null)
            report = new DriftReport(now, "no_reference", s.Window.Questions, 0, [], null);
        else if (s.Window.Questions < s.Settings.MinSamples)
            report = new DriftReport(now, "too_few_samples", s.Window.Questions, s.Reference.Counts.Questions, [], null);
        else
        {
            var comparison = DriftStatistics.Compare(s.Reference, s.Window, await NegativeVotesAsync(s.Window.StartedAt, now), s.Settings);
            report = new DriftReport(now, comparison.Drifted ? "drifted" : "steady", comparison.Questions, comparison.ReferenceQuestions,
                comparison.Signals.Select(ToResult).ToList(), null);
            if (comparison.Drifted)
            {
                report = report with { EventId = await events.AppendAsync(_tenantId, report) };
                foreach (var signal in comparison.Signals.Where(x => x.Breached)) PlatformMetrics.DriftBreaches.Add(1, new KeyValuePair<string, object?>("signal", signal.Name));
                LogDrifted(logger, _tenantId, string.Join(", ", comparison.Signals.Where(x => x.Breached).Select(x => x.Name)));
            }
            s.Window = new DriftWindow { StartedAt = now };
        }
        PlatformMetrics.DriftChecks.Add(1, new KeyValuePair<string, object?>("outcome", report.Outcome));
        s.LastReport = report;
        await SaveAsync();
        return report;
    }

    /// <inheritdoc />
    public async Task<bool> SetReferenceAsync()
    {
        await FlushAsync();
        if (state.State.Window.Questions < state.State.Settings.MinSamples) return false;
        await FreezeAsync();
        await SaveAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task<DriftStatus> GetStatusAsync()
    {
        await FlushAsync();
        return Status();
    }

    /// <inheritdoc />
    public async Task<DriftStatus> SetThresholdsAsync(DriftThresholds thresholds)
    {
        var settings = FromContract(thresholds);
        if (settings.Problem() is { } problem) throw new ArgumentException(problem);
        var periodChanged = settings.CheckPeriodMinutes != state.State.Settings.CheckPeriodMinutes;
        state.State.Settings = settings;
        await SaveAsync();
        if (periodChanged || !_scheduled) await ScheduleAsync();
        return Status();
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => CheckAsync();

    /// <summary>The contract form of the pure settings.</summary>
    public static DriftThresholds ToContract(DriftSettings s) => new()
    {
        TopicPsi = s.TopicPsi, CentroidShift = s.CentroidShift, SpreadRatio = s.SpreadRatio, LanguagePsi = s.LanguagePsi,
        QuestionLengthPsi = s.QuestionLengthPsi, AnswerLengthPsi = s.AnswerLengthPsi, RefusalRateIncrease = s.RefusalRateIncrease,
        NoSourcesRateIncrease = s.NoSourcesRateIncrease, FallbackRateIncrease = s.FallbackRateIncrease,
        NegativeFeedbackRateIncrease = s.NegativeFeedbackRateIncrease, MinSamples = s.MinSamples, ReferenceSamples = s.ReferenceSamples,
        CheckPeriodMinutes = s.CheckPeriodMinutes,
    };

    /// <summary>The pure settings of the contract form.</summary>
    public static DriftSettings FromContract(DriftThresholds t) => new()
    {
        TopicPsi = t.TopicPsi, CentroidShift = t.CentroidShift, SpreadRatio = t.SpreadRatio, LanguagePsi = t.LanguagePsi,
        QuestionLengthPsi = t.QuestionLengthPsi, AnswerLengthPsi = t.AnswerLengthPsi, RefusalRateIncrease = t.RefusalRateIncrease,
        NoSourcesRateIncrease = t.NoSourcesRateIncrease, FallbackRateIncrease = t.FallbackRateIncrease,
        NegativeFeedbackRateIncrease = t.NegativeFeedbackRateIncrease, MinSamples = t.MinSamples, ReferenceSamples = t.ReferenceSamples,
        CheckPeriodMinutes = t.CheckPeriodMinutes,
    };

    private DriftStatus Status()
    {
        var s = state.State;
        return new DriftStatus(ToContract(s.Settings), s.Reference?.From, s.Reference?.To, s.Reference?.Counts.Questions ?? 0,
            s.Window.StartedAt, s.Window.Questions + _pending.Count, s.LastReport) { WindowSampled = s.Window.Reservoir.Count };
    }

    // Counts one sample; the first window that reaches the reference size becomes the reference on its own.
    private async Task AddAsync(DriftSample sample, float[]? vector)
    {
        state.State.Window.Add(new DriftObservation(
            vector is { Length: > 0 } ? DriftVectors.Pack(vector) : null, DriftLanguages.Of(sample.Question), sample.Question.Length,
            sample.Refused, sample.Answered, sample.Searched, sample.NoSources, sample.Fallback, sample.AnswerChars, sample.UserId), _random);
        _unsaved++;
        if (state.State.Reference is null && state.State.Window.Questions >= state.State.Settings.ReferenceSamples) await FreezeAsync();
    }

    // Embeds, in one batch, the waiting questions whose embedding the window's reservoir keeps (drawn before the
    // embedding is made, so a busy tenant embeds a few hundred questions a window, not every one); without an
    // embedding model (or when it fails) they are counted without vectors.
    private async Task FlushAsync()
    {
        if (_pending.Count == 0) return;
        var batch = _pending.ToList();
        _pending.Clear();
        var window = state.State.Window;
        // A batch that completes the first reference keeps the plain path: its later questions belong to the next window.
        if (embeddings.Model is null || (state.State.Reference is null && window.Questions + batch.Count >= state.State.Settings.ReferenceSamples))
        {
            var vectors = await EmbedAsync(batch);
            for (var i = 0; i < batch.Count; i++) await AddAsync(batch[i], vectors[i]);
            return;
        }
        var slots = batch.Select(_ => window.Offer(_random)).ToList();
        var kept = Enumerable.Range(0, batch.Count).Where(i => slots[i] >= 0).ToList();
        var made = await EmbedAsync(kept.Select(i => batch[i]).ToList());
        for (var k = 0; k < kept.Count; k++) window.Fill(slots[kept[k]], made[k] is { } v ? DriftVectors.Pack(v) : null, batch[kept[k]].UserId);
        window.DropUnfilled();
        foreach (var sample in batch) await AddAsync(sample, null);
    }

    // The text the turn's personal-data gate let out (QuestionEmbedding.Text), never the question as the model saw it.
    private async Task<IReadOnlyList<float[]?>> EmbedAsync(IReadOnlyList<DriftSample> samples)
    {
        if (samples.Count == 0 || embeddings.Model is not { } model) return samples.Select(_ => (float[]?)null).ToList();
        try
        {
            return [.. await model.EmbedAsync(samples.Select(s => s.TextToEmbed!).ToList(), _tenantId)];
        }
        catch (Exception e)
        {
            LogEmbedFailed(logger, _tenantId, samples.Count, e);
            return samples.Select(_ => (float[]?)null).ToList();
        }
    }

    private async Task FreezeAsync()
    {
        var now = time.GetUtcNow();
        var window = state.State.Window;
        state.State.Reference = DriftStatistics.Freeze(window, await NegativeVotesAsync(window.StartedAt, now), now);
        state.State.Window = new DriftWindow { StartedAt = now };
        _unsaved++;
    }

    private async Task<long> NegativeVotesAsync(DateTimeOffset since, DateTimeOffset until)
    {
        try
        {
            var votes = await feedback.ListAsync(_tenantId, new FeedbackFilter { Negative = true, Since = since, Until = until.AddSeconds(1), Limit = 1 }, CancellationToken.None);
            return votes.Down;
        }
        catch (Exception e)
        {
            LogFeedbackFailed(logger, _tenantId, e);
            return 0;
        }
    }

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        _unsaved = 0;
    }

    // A silo without a reminder service (or a failing one) still counts samples; checks then run only when asked for.
    private async Task EnsureScheduledAsync()
    {
        if (_scheduled) return;
        _scheduled = true;
        try
        {
            if (await this.GetReminder(CheckReminder) is null) await ScheduleAsync();
        }
        catch (Exception e)
        {
            LogNotScheduled(logger, _tenantId, e);
        }
    }

    private async Task ScheduleAsync()
    {
        _scheduled = true;
        var period = TimeSpan.FromMinutes(state.State.Settings.CheckPeriodMinutes);
        try
        {
            await this.RegisterOrUpdateReminder(CheckReminder, period, period);
        }
        catch (Exception e)
        {
            LogNotScheduled(logger, _tenantId, e);
        }
    }

    private static DriftSignalResult ToResult(DriftSignal s) =>
        new(s.Name, s.Side, s.Statistic, s.Value, s.Threshold, double.IsFinite(s.NoiseLevel) ? s.NoiseLevel : null, s.Reference, s.Current, s.Breached);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift for {TenantId}: {Signals}")]
    private static partial void LogDrifted(ILogger logger, string tenantId, string signals);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift sketch of {TenantId}: {Count} questions counted without embeddings")]
    private static partial void LogEmbedFailed(ILogger logger, string tenantId, int count, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift sketch of {TenantId}: thumbs-down votes could not be counted")]
    private static partial void LogFeedbackFailed(ILogger logger, string tenantId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift checks of {TenantId} are not scheduled (no reminder service?)")]
    private static partial void LogNotScheduled(ILogger logger, string tenantId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drift sketch of {TenantId} was not saved on deactivation")]
    private static partial void LogSaveFailed(ILogger logger, string tenantId, Exception e);
}
