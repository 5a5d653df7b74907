namespace Conversations.Grains.Evaluation;

/// <summary>
/// The conversations an evaluation case is asked in (one per case, deleted after it): their ids tell the chat pipeline a
/// turn is an evaluation's, not the tenant's traffic. Clients cannot choose conversation ids, so no chat turn has one.
/// </summary>
internal static class EvaluationConversations
{
    private const string Prefix = "eval_";

    /// <summary>A new conversation id for one case.</summary>
    public static string NewId() => Prefix + Guid.NewGuid().ToString("n")[..20];

    /// <summary>True for an evaluation case's conversation.</summary>
    public static bool Is(string conversationId) => conversationId.StartsWith(Prefix, StringComparison.Ordinal);
}
