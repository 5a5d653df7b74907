using Conversations.Routing.Catalog;
using Conversations.Routing.Complexity;

namespace Conversations.Routing.Router;

/// <summary>
/// The router's answer for one turn: the model to call first, the models to fall back to in order (always ending
/// with <see cref="ModelCatalog.ExtractiveId"/>), why, and whether canary or budget rules shaped it.
/// A refused turn has an empty <see cref="ModelId"/> and a <see cref="RefusalMessage"/> for the user.
/// </summary>
public sealed record RouteDecision(
    string ModelId,
    IReadOnlyList<string> Fallbacks,
    string Reason,
    CanaryArm CanaryArm,
    bool DowngradedByBudget,
    ComplexityEstimate Complexity)
{
    /// <summary>Set when the budget policy refuses the turn, or no model can read its images; a clear message for the user.</summary>
    public string? RefusalMessage { get; init; }

    /// <summary>The model that takes over when the chosen small model's answer shows it is out of its depth; null for no escalation.</summary>
    public string? EscalateTo { get; init; }
    /// <summary>Why the turn was refused: "budget_exhausted" or "no_vision_model".</summary>
    public string? RefusalCode { get; init; }

    /// <summary>Whether the turn was refused and no model may be called.</summary>
    public bool Refused => RefusalMessage is not null;

    /// <summary>Whether this turn goes to the canary candidate.</summary>
    public bool IsCanary => CanaryArm == CanaryArm.Candidate;

    /// <summary>The chosen model followed by the fallbacks: the order in which to try them.</summary>
    public IReadOnlyList<string> Attempts => Refused ? [] : [ModelId, .. Fallbacks];
}
