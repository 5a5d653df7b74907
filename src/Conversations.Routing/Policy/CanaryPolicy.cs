namespace Conversations.Routing.Policy;

/// <summary>
/// A canary release: <see cref="Share"/> of the conversations that would go to <see cref="BaselineModelId"/> go to
/// <see cref="CandidateModelId"/> instead, judged by <see cref="Rollback"/>.
/// </summary>
public sealed record CanaryPolicy(string CandidateModelId, string BaselineModelId, double Share)
{
    /// <summary>When the candidate is rolled back or ready to promote.</summary>
    public CanaryThresholds Rollback { get; init; } = new();
}
