namespace Conversations.Benchmarks.Routing.Workloads;

/// <summary>
/// A question of the labeled routing workload: the text, the least model tier that answers it well
/// (<see cref="ModelTier.Small"/> or <see cref="ModelTier.Large"/>), its language, the retrieval score a knowledge
/// base would give it and how deep in a conversation it is asked.
/// </summary>
public sealed record LabeledQuestion(string Text, ModelTier Needs, string Language, double? RetrievalTopScore = null, int ConversationDepth = 0);
