namespace Conversations.Routing.Complexity;

/// <summary>How demanding a question looks (0 = trivial, 1 = hard), why, and which domains it touches ("math", "code").</summary>
public sealed record ComplexityEstimate(double Score, IReadOnlyList<string> Reasons, IReadOnlyList<string> Domains);
