using Conversations.Routing.Catalog;
using Conversations.Routing.Complexity;
using Conversations.Routing.Learned;
using Conversations.Routing.Policy;

namespace Conversations.Routing.Router;

/// <summary>
/// Picks the model for a turn from a tenant's policy: budget state, domain rules, estimated complexity, canary share
/// and model health. It only decides; the caller makes the calls, so turns of one tenant run in parallel.
/// </summary>
public sealed class ModelRouter
{
    /// <summary>Message shown when the budget policy refuses a turn.</summary>
    public const string BudgetRefusalMessage =
        "This workspace's monthly model budget is closed, so new questions cannot be answered until an administrator raises the budget or the month ends.";

    /// <summary>Message shown when a message carries images and no model of the catalog can read them.</summary>
    public const string NoVisionModelMessage =
        "This message has images, but none of this workspace's models can read images. Send the text alone, or ask an administrator to register a vision-capable model.";

    /// <summary>Message shown when the vision-capable models are all unavailable right now.</summary>
    public const string VisionUnavailableMessage =
        "This message has images, and the models that can read images are unavailable right now. Try again in a few minutes, or send the text alone.";

    private readonly ModelCatalog _catalog;
    private readonly RoutingPolicy _policy;
    private readonly ComplexityEstimator _estimator;
    private readonly LearnedRouter? _learned;

    /// <summary>
    /// A router for <paramref name="policy"/> over <paramref name="catalog"/>; throws <see cref="ArgumentException"/> when the policy is invalid.
    /// The learned router (<see cref="LearnedRouter.Shipped"/> unless given) scores turns that carry a question embedding;
    /// the keyword estimator scores the others.
    /// </summary>
    public ModelRouter(ModelCatalog catalog, RoutingPolicy policy, ComplexityEstimator? estimator = null, LearnedRouter? learned = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate(catalog);
        _catalog = catalog;
        _policy = policy;
        _estimator = estimator ?? new ComplexityEstimator();
        _learned = learned ?? LearnedRouter.Shipped;
    }

    /// <summary>Whether turns with an embedding are scored by the learned router (weights are loaded).</summary>
    public bool HasLearnedRouter => _learned is not null;

    /// <summary>The policy this router applies.</summary>
    public RoutingPolicy Policy => _policy;

    /// <summary>Decides which model answers <paramref name="request"/> and what to fall back to.</summary>
    public RouteDecision Decide(RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (complexity, threshold, learned) = Estimate(request);
        var reasons = new List<string>();

        var downgraded = false;
        if (request.BudgetExhausted)
        {
            if (_policy.AtBudgetLimit == BudgetLimitAction.Refuse)
            {
                return new RouteDecision(string.Empty, [], "monthly budget used up; policy refuses", CanaryArm.None, false, complexity)
                {
                    RefusalMessage = BudgetRefusalMessage,
                    RefusalCode = "budget_exhausted",
                };
            }

            downgraded = true;
        }

        var named = request.RequestedModel is { Length: > 0 } requested ? Requested(requested, downgraded, reasons) : null;
        var primary = named ?? ChooseByRules(request, complexity, threshold, learned, downgraded, reasons);

        // A tier the client asked for is still the policy's model for it, canary included; a model named by id is that model.
        var pinnedById = named is not null && !IsTier(request.RequestedModel!);
        var arm = CanaryArm.None;
        if (!pinnedById && _policy.Canary is { } canary && canary.Share > 0 && SameId(primary, canary.BaselineModelId)
            && !(downgraded && _catalog.Get(canary.CandidateModelId).Tier == ModelTier.Large))
        {
            if (CanaryAssignment.IsCandidate(request.TenantId, request.ConversationId, canary))
            {
                arm = CanaryArm.Candidate;
                primary = canary.CandidateModelId;
                reasons.Add($"canary: conversation in the {canary.Share:P0} sent to candidate {canary.CandidateModelId}");
            }
            else
            {
                arm = CanaryArm.Baseline;
                reasons.Add($"canary: conversation stays on baseline {canary.BaselineModelId}");
            }
        }

        var chain = BuildChain(primary, arm, downgraded, request, reasons);
        if (request.RequiresVision && chain.Count == 1)
        {
            // Only the extractive responder is left, and it cannot see the images: say so rather than answer beside them.
            var none = !_catalog.Models.Any(m => m.Vision);
            return new RouteDecision(string.Empty, [], none ? "images: no vision-capable model in the catalog" : "images: every vision-capable model is unavailable",
                CanaryArm.None, downgraded, complexity)
            {
                RefusalMessage = none ? NoVisionModelMessage : VisionUnavailableMessage,
                RefusalCode = "no_vision_model",
            };
        }
        var chosen = chain[0];
        if (arm == CanaryArm.Candidate && !SameId(chosen, primary))
        {
            arm = SameId(chosen, _policy.Canary!.BaselineModelId) ? CanaryArm.Baseline : CanaryArm.None;
        }

        return new RouteDecision(chosen, chain.Skip(1).ToArray(), string.Join("; ", reasons), arm, downgraded, complexity)
        {
            EscalateTo = EscalationTarget(chosen, arm, downgraded, request),
        };
    }

    // The learned router when the turn carries an embedding and weights are loaded; the keyword estimator otherwise,
    // or when the learned one cannot score (an embedding of another length): the fallback is named in the reason.
    private (ComplexityEstimate Estimate, double Threshold, bool Learned) Estimate(RouteRequest request)
    {
        var input = new ComplexityInput(request.Question, request.RetrievalTopScore, request.ConversationDepth);
        string fallback;
        if (request.QuestionEmbedding is { } embedding && _learned is { } learned)
        {
            try
            {
                // A keyword threshold of 0 or 1 means "everything large" or "everything small"; it keeps that meaning here.
                var threshold = _policy.RouterThreshold
                    ?? (_policy.ComplexityThreshold is 0 or 1 ? _policy.ComplexityThreshold : learned.Weights.DefaultThreshold);
                return (learned.Estimate(embedding, input).ToComplexity(threshold), threshold, true);
            }
            catch (ArgumentException e)
            {
                fallback = "keyword estimator (learned router failed: " + e.Message + ")";
            }
        }
        else
        {
            fallback = _learned is null ? "keyword estimator (no learned weights)" : "keyword estimator (no question embedding)";
        }
        var keyword = _estimator.Estimate(input);
        return (keyword with { Reasons = [fallback, .. keyword.Reasons] }, _policy.ComplexityThreshold, false);
    }

    // A small model's answer may be replaced by the large model's when it shows it is out of its depth: only when the
    // policy allows it, the budget is not spent, the large model is up and its context window holds the prompt.
    private string? EscalationTarget(string chosen, CanaryArm arm, bool downgraded, RouteRequest request)
    {
        if (!_policy.Escalation || downgraded || arm == CanaryArm.Candidate || !SameId(chosen, _policy.SmallModelId)
            || SameId(_policy.SmallModelId, _policy.LargeModelId) || !string.IsNullOrEmpty(request.RequestedModel))
            return null;
        var large = _catalog.Get(_policy.LargeModelId);
        if (request.UnavailableModelIds.Any(u => SameId(u, large.Id))) return null;
        if (request.RequiredContextTokens > 0 && large.ContextWindowTokens < request.RequiredContextTokens) return null;
        return large.Id;
    }

    /// <summary>The tier names a client may ask for instead of a model id.</summary>
    public static readonly IReadOnlyList<string> TierNames = ["small", "large"];

    private static bool IsTier(string name) => TierNames.Any(t => SameId(t, name));

    // The client's choice: a tier is the policy's model for it, an id a catalog model. A large model over a used-up
    // budget is downgraded like a rule's choice; an unknown name (the API checks names first) leaves the choice to the rules.
    private string? Requested(string requested, bool downgraded, List<string> reasons)
    {
        var id = SameId(requested, "small") ? _policy.SmallModelId
            : SameId(requested, "large") ? _policy.LargeModelId
            : _catalog.Find(requested)?.Id;
        if (id is null)
        {
            reasons.Add($"requested model {requested} is not in the catalog: rules decide");
            return null;
        }
        if (downgraded && _catalog.Get(id).Tier == ModelTier.Large)
        {
            reasons.Add($"requested by the client: {requested}; small model instead, monthly budget used up");
            return _policy.SmallModelId;
        }
        reasons.Add($"requested by the client: {requested} → {id}");
        return id;
    }

    private string ChooseByRules(RouteRequest request, ComplexityEstimate complexity, double threshold, bool learned, bool downgraded, List<string> reasons)
    {
        var domains = request.Domain is { Length: > 0 } named ? [named] : complexity.Domains;
        foreach (var domain in domains)
        {
            var rule = _policy.DomainRules.FirstOrDefault(r => string.Equals(r.Domain, domain, StringComparison.OrdinalIgnoreCase));
            if (rule is null)
            {
                continue;
            }

            if (downgraded && _catalog.Get(rule.ModelId).Tier == ModelTier.Large)
            {
                reasons.Add($"domain rule {rule.Domain} → {rule.ModelId} skipped: budget used up");
                break;
            }

            reasons.Add($"domain rule {rule.Domain} → {rule.ModelId} ({string.Join("; ", complexity.Reasons)})");
            return rule.ModelId;
        }

        // The learned router's domains also go to a domain model registered in the catalog without a rule naming it.
        if (learned && !downgraded && domains.Count > 0
            && _catalog.Models.FirstOrDefault(m => m.Tier == ModelTier.Domain && domains.Any(m.Serves)) is { } domainModel)
        {
            reasons.Add($"domain model {domainModel.Id} for {string.Join(", ", domains.Where(domainModel.Serves))}: score {complexity.Score:0.00} vs threshold {threshold:0.00} ({string.Join("; ", complexity.Reasons)})");
            return domainModel.Id;
        }

        var summary = $"{(learned ? "score" : "complexity")} {complexity.Score:0.00} vs threshold {threshold:0.00} ({string.Join("; ", complexity.Reasons)})";
        if (complexity.Score < threshold)
        {
            reasons.Add($"small model: {summary}");
            return _policy.SmallModelId;
        }

        if (downgraded)
        {
            reasons.Add($"small model instead of large, monthly budget used up: {summary}");
            return _policy.SmallModelId;
        }

        reasons.Add($"large model: {summary}");
        return _policy.LargeModelId;
    }

    private List<string> BuildChain(string primary, CanaryArm arm, bool downgraded, RouteRequest request, List<string> reasons)
    {
        IEnumerable<string> backups = _policy.FallbackModelIds.Count > 0 ? _policy.FallbackModelIds : [_policy.SmallModelId, _policy.LargeModelId];
        if (request.RequiresVision)
        {
            // Images: the policy's models first, then every other vision-capable model of the catalog, in registration order.
            backups = backups.Concat(_catalog.Models.Where(m => m.Vision).Select(m => m.Id));
        }
        if (arm == CanaryArm.Candidate)
        {
            backups = backups.Prepend(_policy.Canary!.BaselineModelId); // A failing candidate falls back to the known-good baseline first.
        }

        var chain = new List<string>();
        var considered = new List<string>(); // a model named twice (primary and backup) is judged, and explained, once
        foreach (var id in backups.Prepend(primary))
        {
            if (SameId(id, ModelCatalog.ExtractiveId) || considered.Any(c => SameId(c, id)))
            {
                continue;
            }

            considered.Add(id);

            var model = _catalog.Get(id);
            if (downgraded && model.Tier == ModelTier.Large)
            {
                continue;
            }

            if (request.RequiresVision && !model.Vision)
            {
                reasons.Add($"{model.Id} skipped: does not read images");
                continue;
            }

            if (request.UnavailableModelIds.Any(u => SameId(u, id)))
            {
                reasons.Add($"{model.Id} skipped: circuit open");
                continue;
            }

            if (request.RequiredContextTokens > 0 && model.ContextWindowTokens < request.RequiredContextTokens)
            {
                reasons.Add($"{model.Id} skipped: context window {model.ContextWindowTokens} < {request.RequiredContextTokens} tokens");
                continue;
            }

            chain.Add(model.Id);
        }

        if (chain.Count == 0)
        {
            reasons.Add("no model available: extractive responder");
        }

        chain.Add(ModelCatalog.ExtractiveId);
        return chain;
    }

    private static bool SameId(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
