using System.Text.Json;

namespace Conversations.Grains.Routing;

/// <summary>What <see cref="TurnRouter"/> remembers between planning a turn and hearing how it went (carried in <c>ModelPlan.Ticket</c>).</summary>
/// <param name="ServedBy">"model", "hard-coded", "exact-cache", "semantic-cache" or "refused".</param>
/// <param name="ReservedUsd">Money held in the budget for this turn; 0 when nothing was reserved.</param>
/// <param name="Arm">Canary arm: "none", "baseline" or "candidate".</param>
/// <param name="CacheKeys">Where this turn's answer may be cached; null when it may not be.</param>
/// <param name="LedgerKey">The budget entry this run reserved and settles under; null for the turn id.</param>
public sealed record TurnTicket(string ServedBy, decimal ReservedUsd, bool Reserved, string Arm, string? ProbedModelId, CacheKeys? CacheKeys,
    string? LedgerKey = null)
{
    /// <summary>The ticket as a string.</summary>
    public string Serialize() => JsonSerializer.Serialize(this);

    /// <summary>The ticket in <paramref name="text"/>, or null when it is not one of ours.</summary>
    public static TurnTicket? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return JsonSerializer.Deserialize<TurnTicket>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
