using Conversations.Contracts.Chat;
using Conversations.Grains.AnswerCache;
using Conversations.Grains.Chat;
using Conversations.Routing.Router;

namespace Conversations.Grains.Routing;

/// <summary>
/// A turn as <see cref="TurnRouter"/> planned it: the plan, and what the router holds for the turn until it finishes.
/// The turn carries this object, and <see cref="FinishAsync"/> hands it back to the router.
/// </summary>
/// <param name="ServedBy">"model", "hard-coded", "exact-cache", "semantic-cache" or "refused".</param>
/// <param name="Reserved">Whether money is held in the budget for this run, under <paramref name="LedgerKey"/>.</param>
/// <param name="Arm">The canary arm the turn is on.</param>
/// <param name="CacheKeys">Where this turn's answer may be cached; null when it may not be.</param>
/// <param name="LedgerKey">The budget entry this run reserved and settles under; null for the turn id.</param>
internal sealed record RoutedTurn(TurnRouter Router, RoutingContext Context, ModelPlan Plan, string ServedBy, bool Reserved = false,
    CanaryArm Arm = CanaryArm.None, CacheKeys? CacheKeys = null, string? LedgerKey = null) : IRoutedTurn
{
    /// <inheritdoc />
    public Task<TurnCost> FinishAsync(IReadOnlyList<ModelAttempt> attempts, string? modelId, TurnUsage usage, string answer, bool completed) =>
        Router.FinishAsync(this, attempts, modelId, usage, answer, completed);
}
