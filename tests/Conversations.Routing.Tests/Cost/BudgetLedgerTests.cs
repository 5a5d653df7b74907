namespace Conversations.Routing.Tests.Cost;

public sealed class BudgetLedgerTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_hundred_concurrent_turns_never_spend_more_than_a_budget_for_fifty()
    {
        // Proves reserve-then-settle under one lock (as a grain serializes calls) admits exactly 50 worst-case turns and never overspends.
        const decimal worstCase = 0.02m;
        var ledger = BudgetLedger.Create(worstCase * 50, Now);
        decimal maxExposure = 0;
        var granted = await ConcurrentTurnsAsync(ledger, worstCase, _ => worstCase,
            modelCall: () => Task.Delay(Random.Shared.Next(0, 5)),
            afterReserve: () =>
            {
                var status = ledger.Status(Now);
                maxExposure = Math.Max(maxExposure, status.SpentUsd + status.ReservedUsd);
            });

        var final = ledger.Status(Now);
        Assert.Equal(50, granted);
        Assert.True(maxExposure <= final.BudgetUsd, $"exposure {maxExposure} over budget {final.BudgetUsd}");
        Assert.True(final.SpentUsd <= final.BudgetUsd);
        Assert.Equal(final.BudgetUsd, final.SpentUsd);
        Assert.Equal(0, final.ReservedUsd);
    }

    [Fact]
    public async Task Cheaper_real_costs_free_budget_for_more_turns_but_never_overspend()
    {
        // Proves settlement returns the unused part of a reservation while the total stays within the budget.
        const decimal worstCase = 0.02m;
        var ledger = BudgetLedger.Create(worstCase * 50, Now);
        var granted = await ConcurrentTurnsAsync(ledger, worstCase, i => worstCase * (0.3m + (i % 7) / 10m),
            modelCall: async () => await Task.Yield());

        Assert.True(granted >= 50);
        Assert.True(ledger.Status(Now).SpentUsd <= ledger.Status(Now).BudgetUsd);

        // Sequentially: a full ledger admits another turn once a settlement comes in under its reservation.
        var full = BudgetLedger.Create(worstCase * 2, Now);
        Assert.True(full.TryReserve("a", worstCase, Now).Granted);
        Assert.True(full.TryReserve("b", worstCase, Now).Granted);
        Assert.False(full.TryReserve("c", worstCase, Now).Granted);
        full.Settle("a", worstCase / 4, Now);
        Assert.False(full.TryReserve("c", worstCase, Now).Granted);
        full.Settle("b", worstCase / 4, Now);
        Assert.True(full.TryReserve("c", worstCase, Now).Granted);
    }

    [Fact]
    public void Denies_a_reservation_that_would_pass_the_budget()
    {
        // Proves spent + reserved + new reservation may not exceed the budget, and the reason says why.
        var ledger = BudgetLedger.Create(1m, Now);
        Assert.True(ledger.TryReserve("a", 0.6m, Now).Granted);
        var denied = ledger.TryReserve("b", 0.5m, Now);
        Assert.False(denied.Granted);
        Assert.Contains("in flight", denied.DenialReason, StringComparison.Ordinal);
        Assert.True(ledger.TryReserve("c", 0.4m, Now).Granted);
    }

    [Fact]
    public void A_budget_smaller_than_one_turn_is_told_apart_and_leaves_the_month_open()
    {
        // Proves a turn whose worst case exceeds the whole budget is denied as too small, raises no alert at zero
        // spend and does not close the budget for cheaper work; busy and used-up denials are told apart too.
        var ledger = BudgetLedger.Create(1m, Now);
        var tooBig = ledger.TryReserve("big", 1.5m, Now);
        Assert.False(tooBig.Granted);
        Assert.Equal(BudgetDenialReason.TooSmall, tooBig.Denial);
        Assert.Empty(tooBig.Alerts);
        Assert.False(ledger.Status(Now).Exhausted);
        Assert.True(ledger.TryReserve("small", 0.6m, Now).Granted);

        Assert.Equal(BudgetDenialReason.Busy, ledger.TryReserve("held", 0.5m, Now).Denial);
        ledger.Settle("small", 0.6m, Now);
        var usedUp = ledger.TryReserve("after", 0.5m, Now);
        Assert.Equal(BudgetDenialReason.Exhausted, usedUp.Denial);
        Assert.Equal([100], usedUp.Alerts.Select(a => a.ThresholdPercent));
        Assert.Equal(BudgetDenialReason.None, BudgetLedger.Create(1m, Now).TryReserve("ok", 1m, Now).Denial);
    }

    [Fact]
    public void Settle_releases_the_reservation_and_records_real_spend_once()
    {
        // Proves settlement moves money from reserved to spent and a retried settlement changes nothing.
        var ledger = BudgetLedger.Create(1m, Now);
        ledger.TryReserve("a", 0.5m, Now);
        var settled = ledger.Settle("a", 0.2m, Now);
        Assert.True(settled.HadReservation);
        Assert.Equal(0.2m, ledger.Status(Now).SpentUsd);
        Assert.Equal(0m, ledger.Status(Now).ReservedUsd);
        Assert.True(ledger.Settle("a", 0.2m, Now).Duplicate);
        Assert.Equal(0.2m, ledger.Status(Now).SpentUsd);
    }

    [Fact]
    public void Stale_reservations_expire()
    {
        // Proves a crashed turn's hold is released after its time to live, and a fresh one is kept.
        var ledger = BudgetLedger.Create(1m, Now);
        ledger.TryReserve("crashed", 0.9m, Now);
        ledger.TryReserve("fresh", 0.1m, Now.AddMinutes(14));
        Assert.False(ledger.TryReserve("blocked", 0.5m, Now.AddMinutes(15)).Granted);
        var expired = ledger.ExpireStale(Now.AddMinutes(15), BudgetLedger.DefaultReservationTimeToLive);
        Assert.Equal(["crashed"], expired.Select(r => r.TurnId));
        Assert.True(ledger.TryReserve("now-fits", 0.5m, Now.AddMinutes(15)).Granted);
    }

    [Fact]
    public void Alerts_fire_once_each_per_month_at_80_and_100_percent()
    {
        // Proves each threshold is reported exactly once per month and again in the next month.
        var ledger = BudgetLedger.Create(10m, Now);
        var alerts = new List<BudgetAlert>();
        for (var i = 0; i < 12; i++)
        {
            var reservation = ledger.TryReserve($"t{i}", 1m, Now);
            alerts.AddRange(reservation.Alerts);
            if (reservation.Granted)
            {
                alerts.AddRange(ledger.Settle($"t{i}", 1m, Now).Alerts);
            }
        }

        Assert.Equal([80, 100], alerts.Select(a => a.ThresholdPercent));
        Assert.True(ledger.Status(Now).Exhausted);

        var nextMonth = new DateTimeOffset(2025, 7, 1, 0, 0, 1, TimeSpan.Zero);
        Assert.False(ledger.Status(nextMonth).Exhausted);
        Assert.Equal(0m, ledger.Status(nextMonth).SpentUsd);
        var julyAlerts = Enumerable.Range(0, 9).SelectMany(i =>
        {
            ledger.TryReserve($"j{i}", 1m, nextMonth);
            return ledger.Settle($"j{i}", 1m, nextMonth).Alerts;
        }).ToList();
        Assert.Equal([80], julyAlerts.Select(a => a.ThresholdPercent));
        Assert.Equal("2025-07", julyAlerts[0].Month);
    }

    [Fact]
    public void Raising_the_budget_lifts_exhaustion()
    {
        // Proves an admin raising the budget lets turns through again and re-arms the 100 % alert.
        var ledger = BudgetLedger.Create(1m, Now);
        ledger.TryReserve("a", 1m, Now);
        ledger.Settle("a", 1m, Now);
        Assert.True(ledger.Status(Now).Exhausted);
        ledger.SetBudget(10m, Now);
        Assert.False(ledger.Status(Now).Exhausted);
        Assert.True(ledger.TryReserve("b", 1m, Now).Granted);
    }

    [Fact]
    public void State_round_trips()
    {
        // Proves a grain can persist the ledger and resume with the same holds and spend.
        var ledger = BudgetLedger.Create(1m, Now);
        ledger.TryReserve("a", 0.7m, Now);
        ledger.Settle("b", 0.1m, Now);
        var resumed = new BudgetLedger(ledger.ToState());
        Assert.Equal(ledger.Status(Now), resumed.Status(Now));
        Assert.False(resumed.TryReserve("c", 0.3m, Now).Granted);
        Assert.True(resumed.Settle("b", 0.1m, Now).Duplicate);
    }

    /// <summary>
    /// Runs 200 turns at once against the ledger, each reserving the worst case and, when granted, settling its real cost
    /// after the model call; the ledger is touched under one lock, as a grain serializes calls. Returns the granted count.
    /// </summary>
    private static async Task<int> ConcurrentTurnsAsync(
        BudgetLedger ledger, decimal worstCase, Func<int, decimal> realCost, Func<Task> modelCall, Action? afterReserve = null)
    {
        var gate = new object();
        var granted = 0;
        var turns = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            bool ok;
            lock (gate)
            {
                ok = ledger.TryReserve($"turn-{i}", worstCase, Now).Granted;
                afterReserve?.Invoke(); // Observed under the same lock, so it sees a consistent ledger.
            }

            if (!ok)
            {
                return;
            }

            Interlocked.Increment(ref granted);
            await modelCall();
            lock (gate)
            {
                ledger.Settle($"turn-{i}", realCost(i), Now);
            }
        })).ToArray();
        await Task.WhenAll(turns);
        return granted;
    }
}
