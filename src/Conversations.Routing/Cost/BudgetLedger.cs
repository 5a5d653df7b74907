using System.Globalization;

namespace Conversations.Routing;

/// <summary>
/// A tenant's monthly budget with reservations. A turn reserves its worst-case cost before calling a model and
/// settles the real cost after; a reservation is granted only if spent + reserved + this one stays within the
/// budget, so concurrent turns can never overspend it (a check-then-increment counter can: every turn checks
/// before any of them adds). Reservations of turns that crashed expire. Alerts at 80 % and 100 % of real spend are
/// reported once each per month. Not thread-safe: the owning grain serializes calls.
/// </summary>
public sealed class BudgetLedger
{
    /// <summary>Alert thresholds in percent of the budget.</summary>
    public static readonly IReadOnlyList<int> AlertThresholds = [80, 100];

    /// <summary>Settled turn ids remembered to ignore retried settlements; bounds the persisted state.</summary>
    public const int MaxRecentlySettled = 256;

    /// <summary>Age after which a reservation is presumed lost (a turn streams for minutes at most).</summary>
    public static readonly TimeSpan DefaultReservationTimeToLive = TimeSpan.FromMinutes(15);

    private readonly List<BudgetReservation> reservations;
    private readonly List<int> alertsRaised;
    private readonly List<string> recentlySettled;
    private string month;
    private decimal budget;
    private decimal spent;

    /// <summary>A ledger resuming from <paramref name="state"/>.</summary>
    public BudgetLedger(BudgetLedgerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.MonthlyBudgetUsd);
        month = state.Month;
        budget = state.MonthlyBudgetUsd;
        spent = state.SpentUsd;
        reservations = [.. state.Reservations];
        alertsRaised = [.. state.AlertsRaised];
        recentlySettled = [.. state.RecentlySettled];
    }

    /// <summary>A fresh ledger with <paramref name="monthlyBudgetUsd"/> for the month of <paramref name="now"/>.</summary>
    public static BudgetLedger Create(decimal monthlyBudgetUsd, DateTimeOffset now) =>
        new(new BudgetLedgerState { Month = MonthOf(now), MonthlyBudgetUsd = monthlyBudgetUsd });

    /// <summary>The "yyyy-MM" month (UTC) of <paramref name="time"/>.</summary>
    public static string MonthOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Holds <paramref name="worstCaseCostUsd"/> for <paramref name="turnId"/> if it fits in the budget; repeating a granted turn id grants again without holding twice.</summary>
    public ReservationResult TryReserve(string turnId, decimal worstCaseCostUsd, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(turnId);
        ArgumentOutOfRangeException.ThrowIfNegative(worstCaseCostUsd);
        RollMonth(now);
        if (reservations.Any(r => r.TurnId == turnId))
        {
            return new ReservationResult(true, null, Available, []);
        }

        var alerts = new List<BudgetAlert>();
        if (worstCaseCostUsd > budget)
        {
            // No turn of this size can ever fit: that says nothing about spend, so no alert and the month stays open.
            return new ReservationResult(false,
                $"monthly budget of {budget} USD is smaller than this turn's worst case of {worstCaseCostUsd:0.######} USD", Available, alerts)
            {
                Denial = BudgetDenialReason.TooSmall,
            };
        }

        if (spent + Reserved + worstCaseCostUsd > budget)
        {
            // Out of money for good (not just held by turns in flight): that is the 100 % alert.
            var exhausted = spent + worstCaseCostUsd > budget;
            if (exhausted)
            {
                Raise(100, alerts);
            }

            var reason = exhausted
                ? $"monthly budget of {budget} USD is used up ({spent:0.####} USD spent; this turn may cost up to {worstCaseCostUsd:0.####} USD)"
                : $"turns in flight hold {Reserved:0.####} USD of the remaining {budget - spent:0.####} USD; this turn may cost up to {worstCaseCostUsd:0.####} USD";
            return new ReservationResult(false, reason, Available, alerts)
            {
                Denial = exhausted ? BudgetDenialReason.Exhausted : BudgetDenialReason.Busy,
            };
        }

        reservations.Add(new BudgetReservation(turnId, worstCaseCostUsd, now));
        return new ReservationResult(true, null, Available, alerts);
    }

    /// <summary>Releases <paramref name="turnId"/>'s reservation and records <paramref name="actualCostUsd"/> as spent (even without a reservation: the money was spent).</summary>
    public SettlementResult Settle(string turnId, decimal actualCostUsd, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(turnId);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCostUsd);
        RollMonth(now);
        if (recentlySettled.Contains(turnId))
        {
            return new SettlementResult(false, true, spent, []);
        }

        var hadReservation = reservations.RemoveAll(r => r.TurnId == turnId) > 0;
        spent += actualCostUsd;
        recentlySettled.Add(turnId);
        if (recentlySettled.Count > MaxRecentlySettled)
        {
            recentlySettled.RemoveAt(0);
        }

        var alerts = new List<BudgetAlert>();
        foreach (var threshold in AlertThresholds)
        {
            if (spent >= budget * threshold / 100m)
            {
                Raise(threshold, alerts);
            }
        }

        return new SettlementResult(hadReservation, false, spent, alerts);
    }

    /// <summary>Drops <paramref name="turnId"/>'s reservation without spending (the turn made no model call).</summary>
    public bool Release(string turnId) => reservations.RemoveAll(r => r.TurnId == turnId) > 0;

    /// <summary>Drops reservations older than <paramref name="maxAge"/> (their turns crashed) and returns them.</summary>
    public IReadOnlyList<BudgetReservation> ExpireStale(DateTimeOffset now, TimeSpan maxAge)
    {
        var stale = reservations.Where(r => now - r.ReservedAt >= maxAge).ToArray();
        reservations.RemoveAll(r => now - r.ReservedAt >= maxAge);
        return stale;
    }

    /// <summary>Changes the monthly budget; alerts no longer crossed under the new budget may be raised again.</summary>
    public void SetBudget(decimal monthlyBudgetUsd, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(monthlyBudgetUsd);
        RollMonth(now);
        budget = monthlyBudgetUsd;
        alertsRaised.RemoveAll(t => spent < budget * t / 100m);
    }

    /// <summary>Where the budget stands at <paramref name="now"/>; exhausted once the 100 % alert was raised this month.</summary>
    public BudgetStatus Status(DateTimeOffset now)
    {
        RollMonth(now);
        return new BudgetStatus(month, budget, spent, Reserved, Available, alertsRaised.Contains(100) || spent >= budget);
    }

    /// <summary>The state to persist; feed it back to the constructor to resume.</summary>
    public BudgetLedgerState ToState() => new()
    {
        Month = month,
        MonthlyBudgetUsd = budget,
        SpentUsd = spent,
        Reservations = reservations.ToArray(),
        AlertsRaised = alertsRaised.ToArray(),
        RecentlySettled = recentlySettled.ToArray(),
    };

    private decimal Reserved => reservations.Sum(r => r.AmountUsd);

    private decimal Available => Math.Max(0, budget - spent - Reserved);

    private void Raise(int threshold, List<BudgetAlert> alerts)
    {
        if (!alertsRaised.Contains(threshold))
        {
            alertsRaised.Add(threshold);
            alerts.Add(new BudgetAlert(threshold, month, spent, budget));
        }
    }

    private void RollMonth(DateTimeOffset now)
    {
        var current = MonthOf(now);
        if (string.CompareOrdinal(current, month) > 0)
        {
            // A new month starts from zero spend; reservations in flight still hold money and settle into it.
            month = current;
            spent = 0;
            alertsRaised.Clear();
        }
    }
}
