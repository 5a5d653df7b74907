namespace Conversations.Routing.Router;

/// <summary>Everything the router needs to pick a model for one turn; built by the caller, never changed.</summary>
public sealed record RouteRequest
{
    /// <summary>The tenant whose policy applies.</summary>
    public required string TenantId { get; init; }

    /// <summary>The conversation; a conversation stays on one canary arm.</summary>
    public required string ConversationId { get; init; }

    /// <summary>The user's question as typed.</summary>
    public required string Question { get; init; }

    /// <summary>Best retrieval score (0..1) of the chunks found for the question; null when retrieval did not run.</summary>
    public double? RetrievalTopScore { get; init; }

    /// <summary>The question's all-MiniLM-L6-v2 embedding for the learned router; null leaves the choice to the keyword estimator.</summary>
    public float[]? QuestionEmbedding { get; init; }

    /// <summary>Turns already in the conversation.</summary>
    public int ConversationDepth { get; init; }

    /// <summary>A domain named by the client ("math"), which takes precedence over the detected ones.</summary>
    public string? Domain { get; init; }

    /// <summary>
    /// A tier ("small", "large") or catalog model id the client asked for. It replaces the policy's choice of the first
    /// model; budget, circuits, context windows and fallback still apply. Null lets the rules choose.
    /// </summary>
    public string? RequestedModel { get; init; }

    /// <summary>The question carries images: the chain keeps only vision-capable models, and with none the turn is refused.</summary>
    public bool RequiresVision { get; init; }

    /// <summary>Whether the tenant's monthly budget is used up (from the budget ledger).</summary>
    public bool BudgetExhausted { get; init; }

    /// <summary>Models whose circuit is open right now (from the health trackers); they are left out of the chain.</summary>
    public IReadOnlyCollection<string> UnavailableModelIds { get; init; } = [];

    /// <summary>Prompt plus maximum answer tokens; models with a smaller context window are left out. Zero skips the check.</summary>
    public int RequiredContextTokens { get; init; }
}
