using Conversations.Contracts;
using Conversations.Contracts.Routing;
using Conversations.Models.Chat;
using Conversations.Prompting;
using Conversations.Routing;
using Conversations.Storage.Chat;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Routing;

/// <summary>A batch job's persisted metadata; the prompts and answers live in routing_batch_items.</summary>
[GenerateSerializer, Alias("batch-job-state")]
public sealed class BatchJobState
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
}

/// <summary>
/// An offline batch (seed 2.1.2): works through its prompts one at a time on a grain timer (low priority: never
/// more than one model call per job, paced, and paused while the model's circuit is open), prices each answer at
/// the batch rate, and records usage like a turn. A reminder reactivates it after a silo crash until it is done.
/// </summary>
public sealed partial class BatchJobGrain(
    [PersistentState("batch-job", "store")] IPersistentState<BatchJobState> state,
    BatchStore items,
    UsageStore usage,
    RoutingConfigCache configs,
    HealthCache health,
    ChatModelPool pool,
    ITokenCounter tokens,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<BatchJobGrain> logger) : Grain, IBatchJobGrain, IRemindable
{
    /// <summary>Most prompts in one job.</summary>
    public const int MaxPrompts = 1000;

    /// <summary>Longest prompt in characters.</summary>
    public const int MaxPromptChars = 16_000;

    private const string ResumeReminder = "batch-resume";
    private IGrainTimer? _timer;
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
        if (spec.Prompts is not { Count: > 0 and <= MaxPrompts }) throw new ArgumentException($"prompts must hold 1 to {MaxPrompts} prompts.");
        if (spec.Prompts.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > MaxPromptChars))
            throw new ArgumentException($"Every prompt must have text and at most {MaxPromptChars} characters.");
        if (spec.MaxOutputTokens is < 1 or > 8192) throw new ArgumentException("maxOutputTokens must be between 1 and 8192.");
        if (await configs.GetAsync(_tenantId) is not { } routing || routing.Find(spec.ModelId) is null)
            throw new ArgumentException($"Model '{spec.ModelId}' is not in the tenant's catalog (register models and a routing policy first).");

        await items.InsertItemsAsync(_tenantId, _jobId, spec.Prompts);
        state.State = new BatchJobState
        {
            Exists = true, UserId = spec.UserId, ModelId = spec.ModelId, Total = spec.Prompts.Count,
            MaxOutputTokens = spec.MaxOutputTokens, CreatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTimer();
        return await ViewAsync();
    }

    /// <inheritdoc />
    public async Task<BatchJobView?> GetAsync() => state.State.Exists ? await ViewAsync() : null;

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already restarted the timer; a finished job drops its reminder.
        if (state.State.CompletedAt is not null || !state.State.Exists)
        {
            if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
        }
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(ProcessNextAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.BatchItemInterval,
            Period = options.Value.BatchItemInterval,
            KeepAlive = true,
        });

    private async Task ProcessNextAsync(CancellationToken ct)
    {
        var pending = await items.PendingAsync(_tenantId, _jobId, 1, ct);
        if (pending.Count == 0)
        {
            state.State.CompletedAt = time.GetUtcNow();
            await state.WriteStateAsync(ct);
            _timer?.Dispose();
            _timer = null;
            if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }
        if (await configs.GetAsync(_tenantId) is not { } routing || routing.Find(state.State.ModelId) is not { } model)
        {
            await items.CompleteItemAsync(_tenantId, _jobId, pending[0].Index, null, "The model was removed from the catalog.", 0, 0, 0, 0, ct);
            return;
        }
        if ((await health.GetAsync(_tenantId, model)).Circuit == "open") return; // low priority: wait for the endpoint to recover

        var (index, prompt) = pending[0];
        var entry = routing.Catalog.Get(model.Id);
        var turnId = $"batch:{_jobId}:{index}";
        var worst = CostCalculator.WorstCase(entry, tokens.Count(prompt) + 16, state.State.MaxOutputTokens, PricingMode.Batch);
        var budget = GrainFactory.GetGrain<IBudgetGrain>(_tenantId);
        if (routing.Policy.MonthlyBudgetUsd is not null && !(await budget.ReserveAsync(turnId, worst)).Granted) return; // wait for budget room

        var text = new System.Text.StringBuilder();
        ModelUsage? reported = null;
        string? error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await foreach (var update in pool.Get(model).StreamAsync(new ModelRequest([new PromptLine(PromptLine.User, prompt)], state.State.MaxOutputTokens), timeout.Token))
            {
                text.Append(update.Text);
                if (update.Usage is { } u) reported = u;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = "The model could not answer this prompt.";
            LogItemFailed(logger, _tenantId, _jobId, index, e);
        }
        var counts = reported is { } r ? new TokenCounts(r.PromptTokens, Math.Min(r.CachedPromptTokens, r.PromptTokens), r.CompletionTokens)
            : new TokenCounts(tokens.Count(prompt), 0, tokens.Count(text.ToString()));
        var cost = error is null ? Math.Min(CostCalculator.Cost(entry, counts, PricingMode.Batch), worst) : 0m;
        await items.CompleteItemAsync(_tenantId, _jobId, index, error is null ? text.ToString() : null, error,
            counts.PromptTokens, counts.CachedPromptTokens, counts.CompletionTokens, cost, ct);
        if (routing.Policy.MonthlyBudgetUsd is not null) await budget.SettleAsync(turnId, cost);
        if (error is null)
            await usage.WriteAsync([new Conversations.Storage.Chat.UsageRecord(_tenantId, state.State.UserId, $"batch:{_jobId}", turnId, model.Id,
                counts.PromptTokens, counts.CachedPromptTokens, counts.CompletionTokens, cost)], ct);
    }

    private async Task<BatchJobView> ViewAsync()
    {
        var (succeeded, failed, cost) = await items.CountsAsync(_tenantId, _jobId);
        var status = state.State.CompletedAt is not null ? "completed" : succeeded + failed > 0 ? "running" : "queued";
        return new BatchJobView(_jobId, status, state.State.ModelId, state.State.Total, succeeded, failed, cost, state.State.CreatedAt, state.State.CompletedAt, state.State.UserId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {TenantId}/{JobId} item {Index} failed")]
    private static partial void LogItemFailed(ILogger logger, string tenantId, string jobId, int index, Exception exception);
}
