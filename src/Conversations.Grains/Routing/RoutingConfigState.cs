using Conversations.Contracts.Routing;

namespace Conversations.Grains.Routing;

/// <summary>A tenant's persisted catalog, policy and recent routing events (bounded).</summary>
[GenerateSerializer, Alias("routing-config-state")]
internal sealed class RoutingConfigState
{
    /// <summary>Most events kept for the admin.</summary>
    public const int MaxEvents = 200;

    /// <summary>Bumped on every edit.</summary>
    [Id(0)] public long Version { get; set; }
    /// <summary>Registered models in registration order.</summary>
    [Id(1)] public List<ModelRegistration> Models { get; set; } = [];
    /// <summary>The policy; null until the admin sets one.</summary>
    [Id(2)] public RoutingPolicySettings? Policy { get; set; }
    /// <summary>Recent events, newest last.</summary>
    [Id(3)] public List<RoutingEvent> Events { get; set; } = [];
    /// <summary>When the first edit was stored; default before it (and in state written before this was kept).</summary>
    [Id(4)] public DateTimeOffset FirstEdit { get; set; }
}
