namespace Conversations.Routing;

/// <summary>A budget threshold crossed for the first time this month.</summary>
public sealed record BudgetAlert(int ThresholdPercent, string Month, decimal SpentUsd, decimal BudgetUsd);

/// <summary>The answer to a reservation: granted or not (with a reason), what remains, and alerts raised by it.</summary>
public sealed record ReservationResult(bool Granted, string? DenialReason, decimal AvailableUsd, IReadOnlyList<BudgetAlert> Alerts);

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
