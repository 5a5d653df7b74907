using Conversations.Contracts.Audit;
using Conversations.Contracts.Routing;
using Conversations.Grains.Routing;
using Conversations.Routing.Canary;
using Conversations.Routing.Router;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Canary;

/// <summary>The persisted tallies of a tenant's current canary.</summary>
[GenerateSerializer, Alias("canary-state")]
internal sealed class CanaryGrainState
{
    /// <summary>The candidate the tallies belong to; a new candidate starts from zero.</summary>
    [Id(0)] public string? CandidateModelId { get; set; }
    /// <summary>The candidate arm.</summary>
    [Id(1)] public CanaryArmTally Candidate { get; set; } = new();
    /// <summary>The baseline arm.</summary>
    [Id(2)] public CanaryArmTally Baseline { get; set; } = new();
    /// <summary>Set once the canary was rolled back, so late outcomes do not roll it back twice.</summary>
    [Id(3)] public bool RolledBack { get; set; }
    /// <summary>When it was rolled back.</summary>
    [Id(4)] public DateTimeOffset? RolledBackAt { get; set; }
}

/// <summary>
/// Per-arm tallies of a tenant's canary and the automatic rollback. Not reentrant; turn outcomes arrive one-way.
/// Tallies are written every <see cref="WriteEvery"/> outcomes and on every vote and verdict: a crash loses at most
/// a few turn counts, which only delays a verdict.
/// </summary>
internal sealed partial class CanaryGrain(
    [PersistentState("canary", "store")] IPersistentState<CanaryGrainState> state,
    TimeProvider time,
    ILogger<CanaryGrain> logger) : Grain, ICanaryGrain
{
    /// <summary>Turn outcomes between two writes.</summary>
    public const int WriteEvery = 20;

    /// <summary>Outcomes this long after a rollback belong to a new canary of the same candidate (silo caches have moved on).</summary>
    public static readonly TimeSpan LateOutcomeWindow = TimeSpan.FromSeconds(30);

    private int _unsaved;

    /// <inheritdoc />
    public async Task RecordTurnAsync(CanarySettings canary, string arm, bool failed, double? firstTokenMs)
    {
        Align(canary);
        if (state.State.RolledBack) return;
        switch (CanaryArmNames.Parse(arm))
        {
            case CanaryArm.Candidate: state.State.Candidate = state.State.Candidate.WithTurn(failed, firstTokenMs); break;
            case CanaryArm.Baseline: state.State.Baseline = state.State.Baseline.WithTurn(failed, firstTokenMs); break;
            default: return;
        }
        if (!await EvaluateAsync(canary) && ++_unsaved >= WriteEvery) await SaveAsync();
    }

    /// <inheritdoc />
    public async Task RecordFeedbackAsync(CanarySettings canary, string arm, bool negative)
    {
        Align(canary);
        if (state.State.RolledBack) return;
        switch (CanaryArmNames.Parse(arm))
        {
            case CanaryArm.Candidate: state.State.Candidate = state.State.Candidate.WithFeedback(negative); break;
            case CanaryArm.Baseline: state.State.Baseline = state.State.Baseline.WithFeedback(negative); break;
            default: return;
        }
        if (!await EvaluateAsync(canary)) await SaveAsync();
    }

    /// <inheritdoc />
    public async Task ChangeFeedbackAsync(CanarySettings canary, string arm, bool negative)
    {
        Align(canary);
        if (state.State.RolledBack) return;
        switch (CanaryArmNames.Parse(arm))
        {
            case CanaryArm.Candidate: state.State.Candidate = state.State.Candidate.WithChangedVote(negative); break;
            case CanaryArm.Baseline: state.State.Baseline = state.State.Baseline.WithChangedVote(negative); break;
            default: return;
        }
        if (!await EvaluateAsync(canary)) await SaveAsync();
    }

    /// <inheritdoc />
    public Task<CanaryView> GetAsync(CanarySettings? canary)
    {
        var same = canary is not null && string.Equals(canary.CandidateModelId, state.State.CandidateModelId, StringComparison.OrdinalIgnoreCase);
        var candidate = same ? state.State.Candidate : new CanaryArmTally();
        var baseline = same ? state.State.Baseline : new CanaryArmTally();
        var verdict = canary is null
            ? new CanaryVerdict(CanaryOutcome.Continue, "no canary in progress")
            : CanaryEvaluator.Evaluate(candidate.ToStats(), baseline.ToStats(), ConfigMapping.ToThresholds(canary));
        return Task.FromResult(new CanaryView(canary?.CandidateModelId ?? state.State.CandidateModelId, Arm(candidate), Arm(baseline),
            CanaryOutcomeNames.Of(verdict.Outcome), verdict.Reason));
    }

    // A different candidate (new canary, or the old one promoted and a new one started) starts from empty tallies.
    private void Align(CanarySettings canary)
    {
        var restarted = state.State.RolledBackAt is { } at && time.GetUtcNow() - at > LateOutcomeWindow;
        if (!restarted && string.Equals(state.State.CandidateModelId, canary.CandidateModelId, StringComparison.OrdinalIgnoreCase)) return;
        state.State = new CanaryGrainState { CandidateModelId = canary.CandidateModelId };
    }

    // Rolls the canary back past a threshold; true when it did (and saved).
    private async Task<bool> EvaluateAsync(CanarySettings canary)
    {
        var verdict = CanaryEvaluator.Evaluate(state.State.Candidate.ToStats(), state.State.Baseline.ToStats(), ConfigMapping.ToThresholds(canary));
        if (verdict.Outcome != CanaryOutcome.Rollback) return false;
        state.State.RolledBack = true;
        state.State.RolledBackAt = time.GetUtcNow();
        await SaveAsync();
        LogRollback(logger, this.GetPrimaryKeyString(), canary.CandidateModelId, verdict.Reason);
        // The platform's own change to the tenant's policy is audited with it (no key: the platform acted).
        AuditedRequest.Set(new AuditedRequest(this.GetPrimaryKeyString(), null, null, null, "canary.auto-rollback", $"canary:{canary.CandidateModelId}",
            new System.Text.Json.Nodes.JsonObject { ["reason"] = verdict.Reason }.ToJsonString()));
        await GrainFactory.GetGrain<IRoutingConfigGrain>(this.GetPrimaryKeyString()).RollbackCanaryAsync(verdict.Reason);
        return true;
    }

    private async Task SaveAsync()
    {
        _unsaved = 0;
        await state.WriteStateAsync();
    }

    private static CanaryArmView Arm(CanaryArmTally t)
    {
        var s = t.ToStats();
        return new CanaryArmView(s.Turns, s.Errors, s.ErrorRate, s.FirstTokenP95Ms, s.FeedbackVotes, s.NegativeVotes);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {Candidate} of {TenantId} rolled back: {Reason}")]
    private static partial void LogRollback(ILogger logger, string tenantId, string candidate, string reason);
}
