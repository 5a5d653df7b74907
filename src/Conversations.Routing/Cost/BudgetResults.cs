namespace Conversations.Routing.Cost;

/// <summary>A budget threshold crossed for the first time this month.</summary>
public sealed record BudgetAlert(int ThresholdPercent, string Month, decimal SpentUsd, decimal BudgetUsd);

/// <summary>The answer to a reservation: granted or not (with a reason), what remains, and alerts raised by it.</summary>
public sealed record ReservationResult(bool Granted, string? DenialReason, decimal AvailableUsd, IReadOnlyList<BudgetAlert> Alerts)
{
    /// <summary>Why it was denied; <see cref="BudgetDenialReason.None"/> when granted.</summary>
    public BudgetDenialReason Denial { get; init; }
}

/// <summary>Why a reservation was denied: each asks the user for something different.</summary>
public enum BudgetDenialReason
{
    /// <summary>Granted.</summary>
    None = 0,

    /// <summary>Reservations of turns in flight hold what is left: a retry shortly may fit.</summary>
    Busy = 1,

    /// <summary>Spend leaves too little for this turn: nothing more fits this month.</summary>
    Exhausted = 2,

    /// <summary>The whole budget is smaller than this turn's worst case: nothing fits until the budget is raised.</summary>
    TooSmall = 3,
}

/// <summary>
/// The result of settling a turn: whether a reservation was found (false for a turn that expired first),
/// whether it was a repeat of an earlier settlement (then nothing changed), and alerts raised by it.
/// </summary>
public sealed record SettlementResult(bool HadReservation, bool Duplicate, decimal SpentUsd, IReadOnlyList<BudgetAlert> Alerts);

/// <summary>Where a budget stands: limit, spend, money held for turns in flight, what is left, and whether it is used up.</summary>
public sealed record BudgetStatus(string Month, decimal BudgetUsd, decimal SpentUsd, decimal ReservedUsd, decimal AvailableUsd, bool Exhausted)
{
    /// <summary>Spend over budget (1 when the budget is zero).</summary>
    public double SpentFraction => BudgetUsd == 0 ? 1 : (double)(SpentUsd / BudgetUsd);
}
