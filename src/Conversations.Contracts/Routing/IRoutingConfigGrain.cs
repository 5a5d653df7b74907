using Orleans.Concurrency;

namespace Conversations.Contracts.Routing;

/// <summary>
/// One tenant's model catalog and routing policy, key <c>{tenant}</c>. Edits are validated (an invalid one throws
/// <see cref="ArgumentException"/>) and bump the version; the decision path reads it through a short silo cache.
/// </summary>
[Alias("routing-config-grain")]
public interface IRoutingConfigGrain : IGrainWithStringKey
{
    /// <summary>The catalog and policy now.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<RoutingConfig> GetAsync();

    /// <summary>
    /// Whether a question with images can be answered here: with a routing policy, a registered model reads images;
    /// without one, the platform's model does (<c>Models:Chat:Vision</c>). Clients offer image attachments by it.
    /// </summary>
    [ReadOnly]
    [Alias("reads-images")]
    Task<bool> ReadsImagesAsync();

    /// <summary>
    /// Registers or replaces a model; returns the new config. The fields in <paramref name="kept"/> keep their stored
    /// values, read and written in one step of the grain. A kept API key needs an unchanged endpoint (a stored key never
    /// follows a model to another endpoint: that is an <see cref="ArgumentException"/>); an empty
    /// <see cref="ModelRegistration.ApiKey"/> stores none.
    /// </summary>
    [Alias("put-model-keeping")]
    Task<RoutingConfig> PutModelAsync(ModelRegistration model, ModelFieldsKept kept = ModelFieldsKept.None);

    /// <summary>Removes a model the policy does not use; false when it was not registered.</summary>
    [Alias("delete-model")]
    Task<bool> DeleteModelAsync(string modelId);

    /// <summary>Replaces the policy; returns the new config.</summary>
    [Alias("set-policy")]
    Task<RoutingConfig> SetPolicyAsync(RoutingPolicySettings policy);

    /// <summary>
    /// Ends the canary by making the candidate the baseline's replacement everywhere in the policy; null when the policy no
    /// longer has the <paramref name="evaluated"/> canary (another promotion, a rollback or a new canary came first).
    /// </summary>
    [Alias("promote-canary")]
    Task<RoutingConfig?> PromoteCanaryAsync(CanarySettings evaluated);

    /// <summary>Ends the canary, sending all traffic back to the baseline, and records why.</summary>
    [Alias("rollback-canary")]
    Task<RoutingConfig> RollbackCanaryAsync(string reason);

    /// <summary>Records an event for the admin (budget alerts come from the budget grain); one-way, so no caller waits on it.</summary>
    [OneWay]
    [Alias("record-event")]
    Task RecordEventAsync(RoutingEvent routingEvent);

    /// <summary>The latest events, newest first.</summary>
    [ReadOnly]
    [Alias("events")]
    Task<IReadOnlyList<RoutingEvent>> GetEventsAsync();
}
