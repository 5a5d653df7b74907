using System.Globalization;
using Conversations.Contracts.Routing;
using Conversations.Grains.Routing;
using Conversations.Routing.Cost;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Budget;

/// <summary>The persisted ledger of one tenant and the alerts of recent months.</summary>
[GenerateSerializer, Alias("budget-state")]
internal sealed class BudgetGrainState
{
    /// <summary>Most alerts kept.</summary>
    public const int MaxAlerts = 24;

    /// <summary>The ledger; null while no budget is set.</summary>
    [Id(0)] public BudgetLedgerState? Ledger { get; set; }
    /// <summary>Alerts raised, newest last.</summary>
    [Id(1)] public List<BudgetAlertView> Alerts { get; set; } = [];
}

/// <summary>
/// A tenant's monthly budget. Not reentrant: reservations are decided one at a time against spent + reserved, and
/// each grant is written to storage before it is returned, so neither concurrency nor a silo crash can let turns
/// spend more than the budget (a crash at worst leaves money reserved until the reservation expires).
/// </summary>
internal sealed partial class BudgetGrain(
    [PersistentState("budget", "store")] IPersistentState<BudgetGrainState> state,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<BudgetGrain> logger) : Grain, IBudgetGrain
{
    private BudgetLedger? _ledger;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ledger = state.State.Ledger is { } s ? new BudgetLedger(s) : null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<BudgetReservationResult> ReserveAsync(string turnId, decimal amountUsd)
    {
        if (_ledger is null) return new BudgetReservationResult(true, null, decimal.MaxValue);
        var now = time.GetUtcNow();
        _ledger.ExpireStale(now, options.Value.ReservationTimeToLive);
        var status = _ledger.Status(now);
        // At 100 % the budget stays closed for the month, so the policy applies to every later turn alike.
        if (status.Exhausted && amountUsd <= status.BudgetUsd)
            return new BudgetReservationResult(false, $"monthly budget of {status.BudgetUsd} USD is closed for the month ({status.SpentUsd:0.######} USD spent)", 0)
            {
                Denial = BudgetDenial.Exhausted, BudgetUsd = status.BudgetUsd, SpentUsd = status.SpentUsd,
            };
        var result = _ledger.TryReserve(turnId, amountUsd, now);
        if (result.Granted || result.Alerts.Count > 0) await SaveAsync(result.Alerts, now);
        return new BudgetReservationResult(result.Granted, result.DenialReason, result.AvailableUsd)
        {
            Denial = result.Denial switch
            {
                BudgetDenialReason.Busy => BudgetDenial.Busy,
                BudgetDenialReason.Exhausted => BudgetDenial.Exhausted,
                BudgetDenialReason.TooSmall => BudgetDenial.TooSmall,
                _ => BudgetDenial.None,
            },
            BudgetUsd = status.BudgetUsd, SpentUsd = status.SpentUsd,
        };
    }

    /// <inheritdoc />
    public async Task SettleAsync(string turnId, decimal costUsd)
    {
        if (_ledger is null) return;
        var now = time.GetUtcNow();
        var result = _ledger.Settle(turnId, Math.Max(0, costUsd), now);
        if (!result.Duplicate) await SaveAsync(result.Alerts, now);
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string turnId)
    {
        if (_ledger?.Release(turnId) == true) await SaveAsync([], time.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task SetBudgetAsync(decimal? monthlyBudgetUsd)
    {
        var now = time.GetUtcNow();
        if (monthlyBudgetUsd is not { } budget)
        {
            _ledger = null;
        }
        else if (_ledger is null)
        {
            _ledger = BudgetLedger.Create(budget, now);
        }
        else
        {
            _ledger.SetBudget(budget, now);
        }
        try
        {
            await SaveAsync([], now);
        }
        catch
        {
            DeactivateOnIdle(); // the ledger already changed in memory: the next call reloads what was stored
            throw;
        }
    }

    /// <inheritdoc />
    public Task<BudgetView> GetAsync()
    {
        var now = time.GetUtcNow();
        if (_ledger is null) return Task.FromResult(new BudgetView(BudgetLedger.MonthOf(now), null, 0, 0, 0, false, 0, state.State.Alerts.ToList()));
        var s = _ledger.Status(now);
        var inFlight = _ledger.ToState().Reservations.Count;
        return Task.FromResult(new BudgetView(s.Month, s.BudgetUsd, s.SpentUsd, s.ReservedUsd, s.AvailableUsd, s.Exhausted, inFlight,
            state.State.Alerts.Where(a => a.Month == s.Month).ToList()));
    }

    // The 100 % alert also comes when what is left cannot hold a turn's worst case (the month closes then, so every
    // later turn meets the same policy): it says so, rather than that the spend reached the budget.
    private static string AlertText(BudgetAlert alert) =>
        alert.ThresholdPercent >= 100 && alert.SpentUsd < alert.BudgetUsd
            ? string.Create(CultureInfo.InvariantCulture, $"The monthly budget is closed for {alert.Month}: {alert.SpentUsd:0.######} of {alert.BudgetUsd} USD is spent, and what is left cannot hold one more answer at its worst case; turns follow the at-limit policy until the budget is raised.")
            : string.Create(CultureInfo.InvariantCulture, $"Monthly spend reached {alert.ThresholdPercent} % of the budget: {alert.SpentUsd:0.####} of {alert.BudgetUsd} USD in {alert.Month}.");

    private async Task SaveAsync(IReadOnlyList<BudgetAlert> alerts, DateTimeOffset now)
    {
        foreach (var alert in alerts)
        {
            state.State.Alerts.Add(new BudgetAlertView(alert.ThresholdPercent, alert.Month, alert.SpentUsd, alert.BudgetUsd, now));
            LogAlert(logger, this.GetPrimaryKeyString(), alert.ThresholdPercent, alert.SpentUsd, alert.BudgetUsd);
        }
        if (state.State.Alerts.Count > BudgetGrainState.MaxAlerts) state.State.Alerts.RemoveRange(0, state.State.Alerts.Count - BudgetGrainState.MaxAlerts);
        state.State.Ledger = _ledger?.ToState();
        await state.WriteStateAsync();
        foreach (var alert in alerts)
        {
            // The admin sees alerts with the routing events; losing this copy (the grain keeps its own) is harmless.
            await GrainFactory.GetGrain<IRoutingConfigGrain>(this.GetPrimaryKeyString()).RecordEventAsync(new RoutingEvent(now, $"budget-{alert.ThresholdPercent}",
                AlertText(alert)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert for {TenantId}: {Threshold} % (spent {Spent} of {Budget} USD; at 100 % with less spent, what is left cannot hold one more answer)")]
    private static partial void LogAlert(ILogger logger, string tenantId, int threshold, decimal spent, decimal budget);
}
