using Orleans.Concurrency;

namespace Conversations.Contracts.Routing;

/// <summary>The answer to a reservation: granted or not, why not, and what is left.</summary>
[GenerateSerializer, Immutable, Alias("budget-reservation")]
public sealed record BudgetReservationResult(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string? DenialReason,
    [property: Id(2)] decimal AvailableUsd)
{
    /// <summary>Why it was denied, for the message a user sees.</summary>
    [Id(3)] public BudgetDenial Denial { get; init; }
    /// <summary>The monthly budget in USD.</summary>
    [Id(4)] public decimal BudgetUsd { get; init; }
    /// <summary>Spent this month in USD.</summary>
    [Id(5)] public decimal SpentUsd { get; init; }
}

/// <summary>Why a budget reservation was denied.</summary>
[GenerateSerializer, Alias("budget-denial")]
public enum BudgetDenial
{
    /// <summary>Not denied.</summary>
    None = 0,
    /// <summary>Turns in flight hold the rest of the budget: worth trying again shortly.</summary>
    Busy = 1,
    /// <summary>The month's budget is used up (what is left cannot hold one more call).</summary>
    Exhausted = 2,
    /// <summary>The whole budget is smaller than one call's worst case: nothing fits until it is raised.</summary>
    TooSmall = 3,
}

/// <summary>A budget alert raised when spend first crossed a threshold in a month.</summary>
[GenerateSerializer, Immutable, Alias("budget-alert")]
public sealed record BudgetAlertView(
    [property: Id(0)] int ThresholdPercent,
    [property: Id(1)] string Month,
    [property: Id(2)] decimal SpentUsd,
    [property: Id(3)] decimal BudgetUsd,
    [property: Id(4)] DateTimeOffset At);

/// <summary>Where a tenant's monthly budget stands; <see cref="BudgetUsd"/> null means no budget is set.</summary>
[GenerateSerializer, Immutable, Alias("budget-view")]
public sealed record BudgetView(
    [property: Id(0)] string Month,
    [property: Id(1)] decimal? BudgetUsd,
    [property: Id(2)] decimal SpentUsd,
    [property: Id(3)] decimal ReservedUsd,
    [property: Id(4)] decimal AvailableUsd,
    [property: Id(5)] bool Exhausted,
    [property: Id(6)] int ReservationsInFlight,
    [property: Id(7)] IReadOnlyList<BudgetAlertView> Alerts);

/// <summary>
/// A tenant's monthly budget ledger, key <c>{tenant}</c>: turns reserve their worst-case cost before calling a model
/// and settle the real cost after, so concurrent turns cannot overspend. Every grant and settlement is persisted
/// before the call returns.
/// </summary>
[Alias("budget")]
public interface IBudgetGrain : IGrainWithStringKey
{
    /// <summary>Holds <paramref name="amountUsd"/> for the turn when it fits.</summary>
    [Alias("reserve")]
    Task<BudgetReservationResult> ReserveAsync(string turnId, decimal amountUsd);

    /// <summary>Replaces the turn's reservation with its real cost (recorded even without a reservation).</summary>
    [Alias("settle")]
    Task SettleAsync(string turnId, decimal costUsd);

    /// <summary>Drops the turn's reservation without spending.</summary>
    [Alias("release")]
    Task ReleaseAsync(string turnId);

    /// <summary>Sets or clears the monthly budget.</summary>
    [Alias("set-budget")]
    Task SetBudgetAsync(decimal? monthlyBudgetUsd);

    /// <summary>The budget now, with this month's alerts.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<BudgetView> GetAsync();
}
