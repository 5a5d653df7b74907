namespace Conversations.Benchmarks.Routing.Workloads;

/// <summary>How one labeled question was served: by what, which model, and whether below the tier it needs.</summary>
public sealed record WorkloadOutcome(LabeledQuestion Question, ServedBy ServedBy, string ModelId, bool UnderServed, double ComplexityScore, decimal CostUsd, decimal AlwaysLargeCostUsd);

/// <summary>
/// Result of replaying a labeled workload through hard-coded replies, the exact cache and the router: who served
/// what, how many questions went to a smaller tier than their label needs, and the cost against always-large.
/// </summary>
public sealed record WorkloadReport(IReadOnlyList<WorkloadOutcome> Outcomes, decimal CostUsd, decimal AlwaysLargeCostUsd)
{
    /// <summary>Questions replayed.</summary>
    public int Questions => Outcomes.Count;

    /// <summary>Questions answered by a model of <paramref name="tier"/>.</summary>
    public int ServedByTier(ModelCatalog catalog, ModelTier tier) =>
        Outcomes.Count(o => o.ServedBy == ServedBy.Model && catalog.Find(o.ModelId)?.Tier == tier);

    /// <summary>Questions answered with no model call: canned replies and cache hits.</summary>
    public int ServedWithoutModel => Outcomes.Count(o => o.ServedBy is ServedBy.HardCodedReply or ServedBy.AnswerCache);

    /// <summary>Questions answered below the tier their label needs.</summary>
    public int UnderServed => Outcomes.Count(o => o.UnderServed);

    /// <summary>Share of questions answered below the tier they need.</summary>
    public double UnderServedShare => Questions == 0 ? 0 : UnderServed / (double)Questions;

    /// <summary>Cost as a share of sending every question to the large model.</summary>
    public double CostRatio => AlwaysLargeCostUsd == 0 ? 0 : (double)(CostUsd / AlwaysLargeCostUsd);

    /// <summary>Share served by the small model, a canned reply or the cache.</summary>
    public double CheapShare(ModelCatalog catalog) =>
        Questions == 0 ? 0 : (ServedByTier(catalog, ModelTier.Small) + ServedWithoutModel) / (double)Questions;
}
