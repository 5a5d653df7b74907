using System.Globalization;

namespace Conversations.Routing.Cost;

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

    private readonly List<BudgetReservation> _reservations;
    private readonly List<int> _alertsRaised;
    private readonly List<string> _recentlySettled;
    private string _month;
    private decimal _budget;
    private decimal _spent;

    /// <summary>A ledger resuming from <paramref name="state"/>.</summary>
    public BudgetLedger(BudgetLedgerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.MonthlyBudgetUsd);
        _month = state.Month;
        _budget = state.MonthlyBudgetUsd;
        _spent = state.SpentUsd;
        _reservations = [.. state.Reservations];
        _alertsRaised = [.. state.AlertsRaised];
        _recentlySettled = [.. state.RecentlySettled];
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
        if (_reservations.Any(r => r.TurnId == turnId))
        {
            return new ReservationResult(true, null, Available, []);
        }

        var alerts = new List<BudgetAlert>();
        if (worstCaseCostUsd > _budget)
        {
            // No turn of this size can ever fit: that says nothing about spend, so no alert and the month stays open.
            return new ReservationResult(false,
                $"monthly budget of {_budget} USD is smaller than this turn's worst case of {worstCaseCostUsd:0.######} USD", Available, alerts)
            {
                Denial = BudgetDenialReason.TooSmall,
            };
        }

        if (_spent + Reserved + worstCaseCostUsd > _budget)
        {
            // Out of money for good (not just held by turns in flight): that is the 100 % alert.
            var exhausted = _spent + worstCaseCostUsd > _budget;
            if (exhausted)
            {
                Raise(100, alerts);
            }

            var reason = exhausted
                ? $"monthly budget of {_budget} USD is used up ({_spent:0.####} USD spent; this turn may cost up to {worstCaseCostUsd:0.####} USD)"
                : $"turns in flight hold {Reserved:0.####} USD of the remaining {_budget - _spent:0.####} USD; this turn may cost up to {worstCaseCostUsd:0.####} USD";
            return new ReservationResult(false, reason, Available, alerts)
            {
                Denial = exhausted ? BudgetDenialReason.Exhausted : BudgetDenialReason.Busy,
            };
        }

        _reservations.Add(new BudgetReservation(turnId, worstCaseCostUsd, now));
        return new ReservationResult(true, null, Available, alerts);
    }

    /// <summary>Releases <paramref name="turnId"/>'s reservation and records <paramref name="actualCostUsd"/> as spent (even without a reservation: the money was spent).</summary>
    public SettlementResult Settle(string turnId, decimal actualCostUsd, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(turnId);
        ArgumentOutOfRangeException.ThrowIfNegative(actualCostUsd);
        RollMonth(now);
        if (_recentlySettled.Contains(turnId))
        {
            return new SettlementResult(false, true, _spent, []);
        }

        var hadReservation = _reservations.RemoveAll(r => r.TurnId == turnId) > 0;
        _spent += actualCostUsd;
        _recentlySettled.Add(turnId);
        if (_recentlySettled.Count > MaxRecentlySettled)
        {
            _recentlySettled.RemoveAt(0);
        }

        var alerts = new List<BudgetAlert>();
        foreach (var threshold in AlertThresholds)
        {
            if (_spent >= _budget * threshold / 100m)
            {
                Raise(threshold, alerts);
            }
        }

        return new SettlementResult(hadReservation, false, _spent, alerts);
    }

    /// <summary>Drops <paramref name="turnId"/>'s reservation without spending (the turn made no model call).</summary>
    public bool Release(string turnId) => _reservations.RemoveAll(r => r.TurnId == turnId) > 0;

    /// <summary>Drops reservations older than <paramref name="maxAge"/> (their turns crashed) and returns them.</summary>
    public IReadOnlyList<BudgetReservation> ExpireStale(DateTimeOffset now, TimeSpan maxAge)
    {
        var stale = _reservations.Where(r => now - r.ReservedAt >= maxAge).ToArray();
        _reservations.RemoveAll(r => now - r.ReservedAt >= maxAge);
        return stale;
    }

    /// <summary>Changes the monthly budget; alerts no longer crossed under the new budget may be raised again.</summary>
    public void SetBudget(decimal monthlyBudgetUsd, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(monthlyBudgetUsd);
        RollMonth(now);
        _budget = monthlyBudgetUsd;
        _alertsRaised.RemoveAll(t => _spent < _budget * t / 100m);
    }

    /// <summary>Where the budget stands at <paramref name="now"/>; exhausted once the 100 % alert was raised this month.</summary>
    public BudgetStatus Status(DateTimeOffset now)
    {
        RollMonth(now);
        return new BudgetStatus(_month, _budget, _spent, Reserved, Available, _alertsRaised.Contains(100) || _spent >= _budget);
    }

    /// <summary>The state to persist; feed it back to the constructor to resume.</summary>
    public BudgetLedgerState ToState() => new()
    {
        Month = _month,
        MonthlyBudgetUsd = _budget,
        SpentUsd = _spent,
        Reservations = _reservations.ToArray(),
        AlertsRaised = _alertsRaised.ToArray(),
        RecentlySettled = _recentlySettled.ToArray(),
    };

    private decimal Reserved => _reservations.Sum(r => r.AmountUsd);

    private decimal Available => Math.Max(0, _budget - _spent - Reserved);

    private void Raise(int threshold, List<BudgetAlert> alerts)
    {
        if (!_alertsRaised.Contains(threshold))
        {
            _alertsRaised.Add(threshold);
            alerts.Add(new BudgetAlert(threshold, _month, _spent, _budget));
        }
    }

    private void RollMonth(DateTimeOffset now)
    {
        var current = MonthOf(now);
        if (string.CompareOrdinal(current, _month) > 0)
        {
            // A new month starts from zero spend; reservations in flight still hold money and settle into it.
            _month = current;
            _spent = 0;
            _alertsRaised.Clear();
        }
    }
}
