using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Moderation;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Conversations.Grains.Chat;
using Conversations.Grains.Health;
using Conversations.Grains.Routing;
using Conversations.Models.Chat;
using Conversations.Prompting.Tokens;
using Conversations.Routing.Catalog;
using Conversations.Routing.Cost;
using Conversations.Routing.Health;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Batches;

/// <summary>A batch job's persisted metadata; the prompts and answers live in routing_batch_items.</summary>
[GenerateSerializer, Alias("batch-job-state")]
internal sealed class BatchJobState
{
    /// <summary>True once accepted.</summary>
    [Id(0)] public bool Exists { get; set; }
    /// <summary>The user the job is billed to.</summary>
    [Id(1)] public string UserId { get; set; } = "";
    /// <summary>The catalog model that answers.</summary>
    [Id(2)] public string ModelId { get; set; } = "";
    /// <summary>Number of prompts.</summary>
    [Id(3)] public int Total { get; set; }
    /// <summary>Answer cap per prompt.</summary>
    [Id(4)] public int MaxOutputTokens { get; set; }
    /// <summary>When accepted.</summary>
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the last item finished.</summary>
    [Id(6)] public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>The role of the user's key when the job was submitted.</summary>
    [Id(7)] public string Role { get; set; } = Roles.User;
    /// <summary>True when the owner (or an admin) stopped the job before its end.</summary>
    [Id(8)] public bool Cancelled { get; set; }
    /// <summary>
    /// True from the moment a cancel is accepted until it has ended the unrun items: written first, so a cancel cut short
    /// (a failed write, a silo stopping) is finished by the job's next activation instead of the job going on.
    /// </summary>
    [Id(9)] public bool CancelRequested { get; set; }
}

/// <summary>
/// An offline batch (billed at the batch rate): works through its prompts one at a time on a grain timer (low priority: never
/// more than one model call per job, paced, and paused while the model's circuit is open or the tenant's token
/// limits are busy), prices each answer at the batch rate, and runs each prompt through the chat turn's moderation,
/// budget and usage stages. A reminder reactivates it after a silo crash until it is done.
/// </summary>
internal sealed partial class BatchJobGrain(
    [PersistentState("batch-job", "store")] IPersistentState<BatchJobState> state,
    BatchStore items,
    ITurnModeration moderation,
    RoutingConfigCache configs,
    HealthCache health,
    ChatModelPool pool,
    ITokenCounter tokens,
    IOptions<RoutingOptions> options,
    IOptions<ChatOptions> chat,
    TimeProvider time,
    ILogger<BatchJobGrain> logger) : Grain, IBatchJobGrain, IRemindable
{
    /// <summary>Most prompts in one job.</summary>
    public const int MaxPrompts = BatchJobSpec.MaxPrompts;

    private const string ResumeReminder = "batch-resume";
    private const string WaitingForBudget = "budget";
    private const string WaitingForModeration = "moderation";
    private const string WaitingForModel = "model";
    private const string WaitingForSlot = "queue";
    private const string WaitingForRateLimit = "rate_limit";
    private const string CancelledWhileAnswered = "Cancelled while it was being answered.";
    // How long a job waits before it asks again for budget room or a closed circuit: each ask reads the database and
    // calls the tenant's grains, which a waiting job need not do five times a second.
    private static readonly TimeSpan WaitStep = TimeSpan.FromSeconds(2);
    private IGrainTimer? _timer;
    private Task _tick = Task.CompletedTask; // the timer callback in progress (or the last one)
    private Task? _cancel;
    private DateTimeOffset _waitUntil;
    private bool _answering; // a model call of this activation has started
    private string? _waitingFor; // why the next item has not started, while that is known
    private int _moderationWaits; // checks in a row that moderation could not make
    private string _tenantId = "";
    private string _jobId = "";

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenantId, _jobId) = GrainKeys.Split(this.GetPrimaryKeyString());
        if (state.State.Exists && state.State.CompletedAt is null) StartTimer();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<BatchJobView> StartAsync(BatchJobSpec spec)
    {
        if (state.State.Exists) return await ViewAsync();
        if (BatchJobSpec.ShapeProblem(spec.Prompts, spec.MaxOutputTokens) is { } problem) throw new ArgumentException(problem.Detail);
        if (await configs.GetAsync(_tenantId) is not { } routing || routing.Find(spec.ModelId) is null)
            throw new ArgumentException($"Model '{spec.ModelId}' is not in the tenant's catalog (register models and a routing policy first).");

        var createdAt = time.GetUtcNow();
        var limit = options.Value.BatchJobsQueuedPerTenant;
        if (await items.InsertJobAsync(_tenantId, _jobId, spec.UserId, spec.ModelId, createdAt, spec.Prompts, limit) is { Stored: false } full)
        {
            DeactivateOnIdle();
            throw new BatchQueueFullException(full.Unfinished, limit);
        }
        state.State = new BatchJobState
        {
            Exists = true, UserId = spec.UserId, Role = spec.Role, ModelId = spec.ModelId, Total = spec.Prompts.Count,
            MaxOutputTokens = spec.MaxOutputTokens, CreatedAt = createdAt,
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTimer();
        return await ViewAsync();
    }

    /// <inheritdoc />
    public async Task<BatchJobView?> GetAsync() => state.State.Exists ? await ViewAsync() : null;

    /// <inheritdoc />
    public async Task<BatchJobView?> CancelAsync()
    {
        if (!state.State.Exists) return null;
        if (state.State.CompletedAt is not null) return await ViewAsync();
        // Interleaved (status and cancel must not wait out a model call): one cancel runs, a second one waits for it. A
        // cancel that failed is not kept: the next one tries again (the job stays stopped meanwhile).
        var cancel = _cancel ??= CancelOnceAsync();
        try
        {
            await cancel;
        }
        catch (Exception) when (ReferenceEquals(_cancel, cancel))
        {
            _cancel = null;
            throw;
        }
        return await ViewAsync();
    }

    private async Task CancelOnceAsync()
    {
        // Written first: no item starts after this (each tick checks it), whatever happens to the rest of the cancel.
        if (!state.State.CancelRequested)
        {
            state.State.CancelRequested = true;
            await state.WriteStateAsync();
        }
        // Disposing the timer cancels its callback's token: the item in flight stops its model call and ends; no
        // other item starts. Then the items left are cancelled and the job's state is written, by this call alone.
        _timer?.Dispose();
        _timer = null;
        await Task.WhenAny(_tick); // its end, however it ended (a stopped item ends in a cancellation)
        await EndCancelledAsync();
    }

    // A cancel's second half: the unrun items end cancelled, the job is done, and its resume reminder goes last (until
    // then it brings the job back after a crash, to finish this).
    private async Task EndCancelledAsync()
    {
        // The unrun prompts never passed the input check that masks what is stored: they keep their text masked by the
        // tenant's built-in checks (personal data, secrets, lexicon words), so the results show what was not answered.
        var unrun = await items.PendingAsync(_tenantId, _jobId, MaxPrompts);
        var masked = new List<(int Index, string Prompt)>(unrun.Count);
        foreach (var (index, prompt) in unrun) masked.Add((index, await moderation.MaskForStorageAsync(_tenantId, prompt, CancellationToken.None)));
        await items.CancelPendingAsync(_tenantId, _jobId, masked, "Cancelled before it was answered.");
        state.State.CompletedAt = time.GetUtcNow();
        state.State.Cancelled = true;
        await state.WriteStateAsync();
        await StopAsync();
    }

    /// <inheritdoc />
    public async Task EraseAsync()
    {
        // A timer callback is a turn of this grain: none runs while this does, so no item is written after it.
        await StopAsync();
        if (state.RecordExists) await state.ClearStateAsync();
        state.State = new BatchJobState();
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already restarted the timer; a finished job drops its reminder.
        if (state.State.CompletedAt is not null || !state.State.Exists)
        {
            if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
        }
    }

    // No more items: the resume reminder goes, then the timer. In that order: disposing the timer cancels its callback's
    // token, which the reminder calls may be using.
    private async Task StopAsync(CancellationToken ct = default)
    {
        if (await this.GetReminder(ResumeReminder, ct) is { } reminder) await this.UnregisterReminder(reminder, ct);
        _timer?.Dispose();
        _timer = null;
        await GrainFactory.GetGrain<IBatchSlotsGrain>(_tenantId).LeaveAsync(_jobId);
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(ct => _tick = ProcessNextAsync(ct), new GrainTimerCreationOptions
        {
            DueTime = options.Value.BatchItemInterval,
            Period = options.Value.BatchItemInterval,
            KeepAlive = true,
        });

    // One item runs the stages of a chat turn, except retrieval and streaming: the tenant's token limits, the input
    // check (refuse, or mask what the model and the store see), the budget, the model, the output guard, usage and
    // the moderation events. Waiting conditions come first, so an item that must wait has run no stage yet.
    private async Task ProcessNextAsync(CancellationToken ct)
    {
        if (state.State.CancelRequested)
        {
            // A cancel cut short before (this activation restarted the job to finish it): no item runs, the cancel ends.
            _timer?.Dispose();
            _timer = null;
            await EndCancelledAsync();
            return;
        }
        if (time.GetUtcNow() < _waitUntil) return;
        // The tenant's other jobs may hold every running slot: wait for one without touching the database meanwhile.
        if (!await GrainFactory.GetGrain<IBatchSlotsGrain>(_tenantId).TryRunAsync(_jobId))
        {
            (_waitingFor, _waitUntil) = (WaitingForSlot, time.GetUtcNow() + WaitStep);
            return;
        }
        if (_waitingFor == WaitingForSlot) _waitingFor = null;
        var pending = await items.PendingAsync(_tenantId, _jobId, 1, ct);
        if (pending.Count == 0)
        {
            state.State.CompletedAt = time.GetUtcNow();
            await state.WriteStateAsync(ct);
            await StopAsync(ct);
            return;
        }
        var item = new BatchItem(pending[0].Index, pending[0].Prompt, $"batch:{_jobId}", $"batch:{_jobId}:{pending[0].Index}");
        if (await configs.GetAsync(_tenantId) is not { } routing || routing.Find(state.State.ModelId) is not { } model)
        {
            await FailWithoutModelAsync(item, "The model was removed from the catalog.", ct);
            return;
        }
        if ((await health.GetAsync(_tenantId, model)).State == CircuitState.Open)
        {
            // Low priority: wait for the endpoint to recover, and say so in the status.
            (_waitingFor, _waitUntil) = (WaitingForModel, time.GetUtcNow() + WaitStep);
            return;
        }

        // Tenant limits: the batch took one request when it was submitted; its items' tokens count against the user's
        // and the tenant's tokens a minute, and an item starts only while both keep the interactive share free.
        var room = await GrainFactory.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(_tenantId, state.State.UserId))
            .AdmitBackgroundAsync(options.Value.BatchTokenHeadroom);
        if (!room.Allowed)
        {
            (_waitingFor, _waitUntil) = (WaitingForRateLimit, time.GetUtcNow() + TimeSpan.FromSeconds(room.RetryAfterSeconds));
            return;
        }

        var entry = routing.Catalog.Get(model.Id);
        // The prompt as a chat turn would start it (the platform's and the tenant's instructions); the worst case counts them.
        var settings = await GrainFactory.GetGrain<ITenantGrain>(_tenantId).GetSettingsAsync();
        var promptTokens = ConversationPrompt.BuildStandalone(tokens, chat.Value, settings, item.Prompt).PromptTokens;
        var worst = CostCalculator.WorstCase(entry, promptTokens + 16, state.State.MaxOutputTokens, PricingMode.Batch);
        var budget = GrainFactory.GetGrain<IBudgetGrain>(_tenantId);
        var budgeted = routing.Policy.MonthlyBudgetUsd is not null;
        // Wait for budget room (answers in flight to settle, the budget raised, a new month), and say so in the status.
        _waitingFor = budgeted && !(await budget.ReserveAsync(item.TurnId, worst)).Granted ? WaitingForBudget : null;
        if (_waitingFor is not null)
        {
            _waitUntil = time.GetUtcNow() + WaitStep;
            return;
        }
        try
        {
            await RunItemAsync(item with { Settings = settings }, model, entry, worst, budgeted ? budget : null, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The job was cancelled during the item: nothing was stored for it, so its reservation goes back.
            if (budgeted) await budget.ReleaseAsync(item.TurnId);
            throw;
        }
    }

    private async Task RunItemAsync(BatchItem item, ModelRegistration model, ModelEntry entry, decimal worst, IBudgetGrain? budget, CancellationToken ct)
    {
        var turn = await moderation.CheckInputAsync(Caller, item.ConversationId, item.TurnId, item.Prompt, ct);
        var (turnUsage, shown) = (TurnUsage.None, "");
        try
        {
            if (!turn.Verdict.Allowed && turn.Verdict.Retryable)
            {
                // The check could not be made (outside moderation down while the tenant refuses unchecked text): an
                // offline item waits for it, as for the budget, instead of failing for good. Backs off up to 5 minutes.
                if (budget is not null) await budget.ReleaseAsync(item.TurnId);
                _moderationWaits++;
                _waitUntil = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(300, 5 * Math.Pow(2, Math.Min(_moderationWaits - 1, 6))));
                _waitingFor = WaitingForModeration;
                return;
            }
            _moderationWaits = 0;
            if (!turn.Verdict.Allowed)
            {
                if (budget is not null) await budget.ReleaseAsync(item.TurnId);
                await items.CompleteItemAsync(_tenantId, _jobId, item.Index, turn.Verdict.TextToStore, null,
                    turn.Verdict.RefusalMessage ?? "This prompt can't be answered.", 0, 0, 0, 0, ct: ct);
                return;
            }
            (turnUsage, shown) = await AnswerAsync(item, turn, model, entry, worst, budget, ct);
        }
        finally
        {
            // Ends the turn in the moderation stage: its output event is written and the item's tokens charged to the
            // user's and the tenant's token buckets.
            await turn.FinishAsync(turnUsage, shown);
        }
    }

    // Stages 6-7: the model answers the prompt as the input check let it through; the output guard masks the answer, or
    // withholds the rest of it, before anything is stored. Returns the item's usage and the answer as shown.
    private async Task<(TurnUsage Usage, string Shown)> AnswerAsync(BatchItem item, IModeratedTurn turn, ModelRegistration model,
        ModelEntry entry, decimal worst, IBudgetGrain? budget, CancellationToken ct)
    {
        var verdict = turn.Verdict;
        var chatModel = pool.Get(model);
        // Batches are not grounded (no knowledge search), but they carry the system message every chat turn starts with.
        var prompt = ConversationPrompt.BuildStandalone(tokens, chat.Value, item.Settings!, verdict.TextForModel);
        var request = PersonalDataGate.For(chatModel, new ModelRequest(prompt.Messages, state.State.MaxOutputTokens), verdict, chat.Value.PersonalDataAllowedHosts);
        _answering = true; // the job runs from its first model call on, not from its first finished item
        var answer = await GuardedAnswer.ReadAsync(chatModel, request, turn.StartOutput(), TimeSpan.FromMinutes(2), ct);
        // A call that failed before any output for a reason that passes (the endpoint down or overloaded for a moment, a
        // cut connection) is sent again after 1, 2 and 4 s: an offline job can wait, and a short outage must not fail
        // its items for good. A refusal of the request or the credential is not retried.
        for (var retry = 0; retry < RetryDelays.Length && answer.Failure is { } passing && answer.Reported is null && answer.Raw.Length == 0
            && ModelFailureCodes.KindOf(passing) is FailureKind.ServerError or FailureKind.Connection or FailureKind.FirstTokenTimeout or FailureKind.Stall or FailureKind.RateLimited; retry++)
        {
            LogItemRetried(logger, _tenantId, _jobId, item.Index, RetryDelays[retry].TotalSeconds, passing.Message);
            await Task.Delay(RetryDelays[retry], time, ct);
            answer = await GuardedAnswer.ReadAsync(chatModel, request, turn.StartOutput(), TimeSpan.FromMinutes(2), ct);
        }
        if (answer.Failure is { } failure) LogItemFailed(logger, _tenantId, _jobId, item.Index, failure);
        // A withheld answer was produced: it is billed; so is what a cancelled call wrote before it was stopped.
        var answered = (answer.Failure is null || answer.WithheldNotice is not null) && !(answer.Cancelled && answer.Shown.Length == 0);
        var counts = answer.Reported is { } r ? new TokenCounts(r.PromptTokens, Math.Min(r.CachedPromptTokens, r.PromptTokens), r.CompletionTokens)
            : new TokenCounts(CallMeter.EstimatePromptTokens(tokens, request), 0, tokens.Count(answer.Raw));
        // Every model call that produced tokens is billed with what it consumed, a cut or cancelled one too (estimated
        // when the provider reported nothing); a call refused before any output costs nothing. Once the call has ended,
        // its outcome is stored, settled and billed even when the job was cancelled meanwhile: a cancel stops the call,
        // not its bill.
        var produced = answer.Reported is not null || answer.Raw.Length > 0;
        // What the call cost, past the reservation too (as a chat turn settles it): it was spent.
        var cost = produced ? CostCalculator.Cost(entry, counts, PricingMode.Batch) : 0m;
        var error = answer.WithheldNotice ?? (answer.Cancelled ? CancelledWhileAnswered : answer.Failure is null ? null : "The model could not answer this prompt.");
        // The item's outcome and its usage row in one transaction: an answered item is never left unbilled.
        var bill = produced
            ? new Conversations.Storage.Chat.UsageRecord(_tenantId, state.State.UserId, item.ConversationId, item.TurnId, model.Id,
                counts.PromptTokens, counts.CachedPromptTokens, counts.CompletionTokens, cost,
                Conversations.Storage.Chat.UsageKinds.Batch, Estimated: answer.Reported is null, Since: state.State.CreatedAt)
            : null;
        await items.CompleteItemAsync(_tenantId, _jobId, item.Index, verdict.TextToStore, answered ? answer.Shown : null,
            error, counts.PromptTokens, counts.CachedPromptTokens, counts.CompletionTokens, cost, bill, CancellationToken.None);
        if (budget is not null) await budget.SettleAsync(item.TurnId, cost);
        return (new TurnUsage(counts.PromptTokens, counts.CachedPromptTokens, counts.CompletionTokens, cost), answer.Shown);
    }

    // An item that cannot reach its model still passes the input check, so it is stored (and recorded) as a chat question would be.
    private async Task FailWithoutModelAsync(BatchItem item, string error, CancellationToken ct)
    {
        var turn = await moderation.CheckInputAsync(Caller, item.ConversationId, item.TurnId, item.Prompt, ct);
        try
        {
            await items.CompleteItemAsync(_tenantId, _jobId, item.Index, turn.Verdict.TextToStore, null,
                turn.Verdict.Allowed ? error : turn.Verdict.RefusalMessage ?? error, 0, 0, 0, 0, ct: ct);
        }
        finally
        {
            await turn.FinishAsync(TurnUsage.None, "");
        }
    }

    private Caller Caller => new(_tenantId, state.State.UserId, state.State.Role);

    private async Task<BatchJobView> ViewAsync()
    {
        var (succeeded, failed, cost) = await items.CountsAsync(_tenantId, _jobId);
        var status = state.State.Cancelled ? "cancelled" : state.State.CompletedAt is not null ? "completed" : succeeded + failed > 0 || _answering ? "running" : "queued";
        return new BatchJobView(_jobId, status, state.State.ModelId, state.State.Total, succeeded, failed, cost, state.State.CreatedAt, state.State.CompletedAt, state.State.UserId)
        {
            WaitingFor = state.State.CompletedAt is null ? _waitingFor : null,
        };
    }

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {TenantId}/{JobId} item {Index}: the model failed ({Reason}); trying again in {Seconds} s")]
    private static partial void LogItemRetried(ILogger logger, string tenantId, string jobId, int index, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {TenantId}/{JobId} item {Index} failed")]
    private static partial void LogItemFailed(ILogger logger, string tenantId, string jobId, int index, Exception exception);

    /// <summary>One pending item and the ids it carries through the stages (budget, usage, moderation events).</summary>
    private sealed record BatchItem(int Index, string Prompt, string ConversationId, string TurnId)
    {
        /// <summary>The tenant's settings as the item's prompt is built with them.</summary>
        public TenantSettings? Settings { get; init; }
    }
}
