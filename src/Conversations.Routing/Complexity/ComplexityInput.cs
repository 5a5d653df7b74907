namespace Conversations.Routing.Complexity;

/// <summary>
/// What the complexity estimate looks at: the question, the best retrieval score (0..1, null when retrieval did
/// not run) and how many turns the conversation already has.
/// </summary>
public sealed record ComplexityInput(string Question, double? RetrievalTopScore = null, int ConversationDepth = 0);
