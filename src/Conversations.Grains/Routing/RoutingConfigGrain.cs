using Conversations.Contracts.Routing;
using Conversations.Grains.Chat;
using Conversations.Routing.Endpoints;
using Conversations.Routing.Policy;

namespace Conversations.Grains.Routing;

/// <summary>
/// One tenant's catalog and policy. Not reentrant: edits apply one at a time; reads are [ReadOnly] and interleave.
/// Turns never call it directly: silos read it through <see cref="RoutingConfigCache"/>. A model's endpoint must pass the
/// operator's <see cref="EndpointPolicy"/> (checked again at every connection).
/// </summary>
internal sealed class RoutingConfigGrain(
    [PersistentState("routing-config", "store")] IPersistentState<RoutingConfigState> state,
    EndpointPolicy endpoints,
    IChatModelProvider platform,
    TimeProvider time) : Grain, IRoutingConfigGrain
{
    /// <inheritdoc />
    /// <remarks>The same rule the turn's routing follows (<see cref="TurnRouter"/>, <see cref="SingleModelRouter"/>).</remarks>
    public Task<bool> ReadsImagesAsync() => Task.FromResult(state.State.Policy is not null
        ? state.State.Models.Any(m => m.Vision)
        : platform.Options.ReadsImages);

    /// <inheritdoc />
    public Task<RoutingConfig> GetAsync() => Task.FromResult(View());

    /// <inheritdoc />
    public async Task<RoutingConfig> PutModelAsync(ModelRegistration model, ModelFieldsKept kept = ModelFieldsKept.None)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stored = state.State.Models.FirstOrDefault(m => string.Equals(m.Id, model.Id, StringComparison.OrdinalIgnoreCase));
        model = model with
        {
            ApiKey = kept.HasFlag(ModelFieldsKept.ApiKey) ? StoredKeyFor(model, stored) : NullIfEmpty(model.ApiKey),
            Vision = kept.HasFlag(ModelFieldsKept.Vision) ? stored?.Vision ?? false : model.Vision,
            SendPromptCacheKey = kept.HasFlag(ModelFieldsKept.SendPromptCacheKey) ? stored?.SendPromptCacheKey : model.SendPromptCacheKey,
        };
        var models = state.State.Models.Where(m => !string.Equals(m.Id, model.Id, StringComparison.OrdinalIgnoreCase)).Append(model).ToList();
        ConfigMapping.Validate(models, state.State.Policy);
        if (await endpoints.CheckRegistrationAsync(model.Endpoint) is { } refusal) throw new ArgumentException($"Model '{model.Id}': {refusal}");
        await SaveAsync(models, state.State.Policy, new RoutingEvent(time.GetUtcNow(), "model-registered", $"Model '{model.Id}' ({model.Tier}, {model.ModelName}) registered."));
        return View();
    }

    // An edit that leaves the key out keeps it; but a key goes only to the endpoint it was given for, so moving the
    // model elsewhere needs the key sent again (else an edit of the endpoint alone would hand the key to another host).
    private static string? StoredKeyFor(ModelRegistration model, ModelRegistration? stored)
    {
        if (NullIfEmpty(stored?.ApiKey) is not { } key) return null;
        if (!string.Equals(stored!.Endpoint.TrimEnd('/'), model.Endpoint.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Model '{model.Id}': apiKey: the endpoint changed, and the stored key is only sent to the endpoint it was given for. Send the key for the new endpoint, or \"\" to register the model without one.");
        return key;
    }

    private static string? NullIfEmpty(string? key) => string.IsNullOrEmpty(key) ? null : key;

    /// <inheritdoc />
    public async Task<bool> DeleteModelAsync(string modelId)
    {
        var models = state.State.Models.Where(m => !string.Equals(m.Id, modelId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (models.Count == state.State.Models.Count) return false;
        // The policy must not name a removed model: said as what to change first, not as an unknown model.
        try
        {
            ConfigMapping.Validate(models, state.State.Policy);
        }
        catch (ArgumentException e) when (e.Data[RoutingPolicy.MissingModelKey] is string missing && string.Equals(missing, modelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Model '{modelId}' is still used by the routing policy (as its {e.Data[RoutingPolicy.MissingModelRoleKey]}); "
                + "change the policy (PUT /v1/routing/policy) to another model first, then delete it.", e);
        }
        await SaveAsync(models, state.State.Policy, new RoutingEvent(time.GetUtcNow(), "model-removed", $"Model '{modelId}' removed."));
        return true;
    }

    /// <inheritdoc />
    public async Task<RoutingConfig> SetPolicyAsync(RoutingPolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ConfigMapping.Validate(state.State.Models, policy);
        await SaveAsync(state.State.Models, policy, new RoutingEvent(time.GetUtcNow(), "policy-updated", Describe(policy)));
        await GrainFactory.GetGrain<IBudgetGrain>(this.GetPrimaryKeyString()).SetBudgetAsync(policy.MonthlyBudgetUsd);
        return View();
    }

    /// <inheritdoc />
    public async Task<RoutingConfig?> PromoteCanaryAsync(CanarySettings evaluated)
    {
        // The grain runs one call at a time: of two promotions whose gates ran side by side, the second finds no canary.
        if (state.State.Policy is not { Canary: { } canary } policy
            || !string.Equals(canary.CandidateModelId, evaluated.CandidateModelId, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(canary.BaselineModelId, evaluated.BaselineModelId, StringComparison.OrdinalIgnoreCase)
            || canary.EvaluationSetId != evaluated.EvaluationSetId || canary.EvaluationMargin != evaluated.EvaluationMargin)
            return null;
        string Swap(string id) => string.Equals(id, canary.BaselineModelId, StringComparison.OrdinalIgnoreCase) ? canary.CandidateModelId : id;
        var promoted = policy with
        {
            SmallModelId = Swap(policy.SmallModelId),
            LargeModelId = Swap(policy.LargeModelId),
            DomainRules = policy.DomainRules.Select(r => r with { ModelId = Swap(r.ModelId) }).ToList(),
            FallbackModelIds = policy.FallbackModelIds.Select(Swap).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            Canary = null,
        };
        ConfigMapping.Validate(state.State.Models, promoted);
        await SaveAsync(state.State.Models, promoted, new RoutingEvent(time.GetUtcNow(), "canary-promoted",
            $"Canary '{canary.CandidateModelId}' promoted: it replaces '{canary.BaselineModelId}' in the policy."));
        return View();
    }

    /// <inheritdoc />
    public async Task<RoutingConfig> RollbackCanaryAsync(string reason)
    {
        if (state.State.Policy is not { Canary: { } canary } policy) return View();
        await SaveAsync(state.State.Models, policy with { Canary = null }, new RoutingEvent(time.GetUtcNow(), "canary-rolled-back",
            $"Canary '{canary.CandidateModelId}' rolled back to '{canary.BaselineModelId}': {reason}"));
        return View();
    }

    /// <inheritdoc />
    public async Task RecordEventAsync(RoutingEvent routingEvent)
    {
        AddEvent(routingEvent);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RoutingEvent>> GetEventsAsync() =>
        Task.FromResult<IReadOnlyList<RoutingEvent>>(Enumerable.Reverse(state.State.Events).ToList());

    private RoutingConfig View() => new(state.State.Version, state.State.Models.ToList(), state.State.Policy, state.State.FirstEdit);

    // A failed write leaves the grain as it was, so memory never runs ahead of storage.
    private async Task SaveAsync(List<ModelRegistration> models, RoutingPolicySettings? policy, RoutingEvent change)
    {
        var previous = (state.State.Version, state.State.Models, state.State.Policy, Events: state.State.Events.ToList(), state.State.FirstEdit);
        state.State.Version++;
        if (state.State.FirstEdit == default) state.State.FirstEdit = time.GetUtcNow();
        state.State.Models = models;
        state.State.Policy = policy;
        AddEvent(change);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Version, state.State.Models, state.State.Policy, state.State.Events, state.State.FirstEdit) = previous;
            throw;
        }
    }

    private void AddEvent(RoutingEvent e)
    {
        state.State.Events.Add(e);
        if (state.State.Events.Count > RoutingConfigState.MaxEvents) state.State.Events.RemoveRange(0, state.State.Events.Count - RoutingConfigState.MaxEvents);
    }

    private static string Describe(RoutingPolicySettings p) =>
        $"Policy: small '{p.SmallModelId}', large '{p.LargeModelId}', threshold {p.ComplexityThreshold:0.00}"
        + (p.MonthlyBudgetUsd is { } b ? $", budget {b} USD/month ({p.AtBudgetLimit} at 100 %)" : ", no budget")
        + (p.Canary is { } c ? $", canary '{c.CandidateModelId}' at {c.Share:P0} of '{c.BaselineModelId}'" : "") + ".";
}
