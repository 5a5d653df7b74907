namespace Conversations.Routing.Cost;

/// <summary>Money held for a turn in flight: its worst-case cost, until it settles or expires.</summary>
public sealed record BudgetReservation(string TurnId, decimal AmountUsd, DateTimeOffset ReservedAt);

/// <summary>
/// A tenant's budget for one calendar month (UTC) as a plain record a grain can persist: the limit, what was spent,
/// the reservations in flight, which alert thresholds were already reported, and the latest settled turn ids
/// (bounded) so a retried settlement is not counted twice.
/// </summary>
public sealed record BudgetLedgerState
{
    /// <summary>The month the spend belongs to, "yyyy-MM" (UTC).</summary>
    public required string Month { get; init; }

    /// <summary>The monthly limit in USD.</summary>
    public decimal MonthlyBudgetUsd { get; init; }

    /// <summary>Real spend settled this month in USD.</summary>
    public decimal SpentUsd { get; init; }

    /// <summary>Reservations of turns in flight.</summary>
    public IReadOnlyList<BudgetReservation> Reservations { get; init; } = [];

    /// <summary>Alert thresholds (percent) already reported this month.</summary>
    public IReadOnlyList<int> AlertsRaised { get; init; } = [];

    /// <summary>Turn ids settled most recently, oldest first.</summary>
    public IReadOnlyList<string> RecentlySettled { get; init; } = [];
}
