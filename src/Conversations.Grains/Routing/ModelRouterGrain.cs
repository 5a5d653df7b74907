using Conversations.Contracts.Routing;
using Conversations.Grains.Health;
using Conversations.Routing.Health;
using Conversations.Routing.Router;
using Orleans.Concurrency;

namespace Conversations.Grains.Routing;

/// <summary>
/// Decides models for a tenant's turns. A stateless worker: activations are local to the calling silo and as many as
/// needed run at once, over the silo's cached config and health, so deciding never queues a tenant's turns behind
/// one activation. A model is skipped while its circuit for the tenant's credential or the endpoint's shared circuit
/// is open. The only remote call is the half-open probe request, made when the preferred model's circuit is past its
/// break.
/// </summary>
[StatelessWorker]
internal sealed class ModelRouterGrain(RoutingConfigCache configs, HealthCache health, TimeProvider time) : Grain, IModelRouterGrain
{
    /// <inheritdoc />
    public async Task<RouteOutcome> DecideAsync(RouteQuery query)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (await configs.GetAsync(tenantId) is not { } routing) return RouteOutcome.NoPolicy;

        var now = time.GetUtcNow();
        var open = new List<string>();
        var halfOpen = new List<string>();
        var views = new Dictionary<string, EndpointHealth>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in routing.Config.Models)
        {
            // The tenant's own credential and the endpoint's shared circuit: either open keeps the model out.
            var view = views[model.Id] = await health.GetAsync(tenantId, model);
            var circuit = view.StateAt(now);
            if (circuit == CircuitState.Open) open.Add(model.Id);
            else if (circuit == CircuitState.HalfOpen) halfOpen.Add(model.Id);
        }

        var request = new RouteRequest
        {
            TenantId = tenantId,
            ConversationId = query.ConversationId,
            Question = query.Question,
            RetrievalTopScore = query.RetrievalTopScore,
            ConversationDepth = query.ConversationDepth,
            BudgetExhausted = query.BudgetExhausted,
            RequiredContextTokens = query.RequiredContextTokens,
            RequestedModel = query.RequestedModel,
            QuestionEmbedding = query.QuestionEmbedding,
            RequiresVision = query.RequiresVision,
        };
        // Models in half-open wait for a probe; only the model the rules prefer asks for one, so a probe slot is
        // never taken by a backup that may not be called.
        var decision = routing.Router.Decide(request with { UnavailableModelIds = [.. open, .. halfOpen] });
        string? probed = null;
        if (halfOpen.Count > 0)
        {
            var preferred = routing.Router.Decide(request with { UnavailableModelIds = open }).ModelId;
            var candidate = halfOpen.FirstOrDefault(id => string.Equals(id, preferred, StringComparison.OrdinalIgnoreCase));
            if (candidate is not null && views.TryGetValue(candidate, out var view) && await health.TryAcquireAsync(view))
            {
                probed = candidate;
                decision = routing.Router.Decide(request with { UnavailableModelIds = [.. open, .. halfOpen.Where(id => id != candidate)] });
                decision = decision with { Reason = decision.Reason + $"; {candidate} half-open: this turn is its probe" };
            }
        }

        return new RouteOutcome(true, decision.Attempts, decision.Reason, CanaryArmNames.Of(decision.CanaryArm), decision.DowngradedByBudget,
            decision.RefusalMessage, decision.Complexity.Score, routing.Config.Version, probed) { EscalateTo = decision.EscalateTo, RefusalCode = decision.RefusalCode };
    }
}
