using System.Reflection;
using Conversations.Grains.Routing;
using Conversations.Hosting;
using Orleans.Storage;

namespace Conversations.IntegrationTests.Grains;

/// <summary>
/// Grain state is stored with type names and read back only as allowed types; what a grain stores must come back on
/// its next activation, whatever collection a caller handed it.
/// </summary>
[Collection(GrainCollection.Name)]
public sealed class GrainStateRoundTripTests(GrainClusterFixture fx)
{
    [Fact(DisplayName = "Lists given as collection expressions (compiler-made types) are stored as lists and read back on the next activation")]
    public async Task Collection_expressions_in_state_read_back()
    {
        var tenant = "lists-" + Guid.NewGuid().ToString("n")[..8];
        var grainId = fx.Grains.GetGrain<IRoutingConfigGrain>(tenant).GetGrainId();
        var storage = fx.Services.GetRequiredKeyedService<IGrainStorage>(HostingExtensions.GrainStorageName);
        IReadOnlyList<string> fallbacks = ["small", "large"];
        IEnumerable<DomainRuleSettings> rules = [new("math", "large")];
        var written = new RoutingConfigState
        {
            Version = 1,
            Policy = new RoutingPolicySettings { SmallModelId = "small", LargeModelId = "large", FallbackModelIds = fallbacks, DomainRules = [.. rules] },
            Models = [new ModelRegistration("small", "http://models.example/v1", null, "m", "small", ["math"], 1, 0, 2, 8000, 0.5m)],
        };
        Assert.Contains("<>", fallbacks.GetType().Name, StringComparison.Ordinal); // the case this is about

        await storage.WriteStateAsync("routing-config", grainId, new GrainState<RoutingConfigState>(written));
        var read = new GrainState<RoutingConfigState>();
        await storage.ReadStateAsync("routing-config", grainId, read);

        var state = Assert.IsType<RoutingConfigState>(read.State);
        var policy = Assert.IsType<RoutingPolicySettings>(state.Policy);
        Assert.Equal(["small", "large"], policy.FallbackModelIds);
        Assert.Equal("large", Assert.Single(policy.DomainRules).ModelId);
        Assert.Equal(["math"], Assert.Single(state.Models).Domains);
    }

    [Fact(DisplayName = "Every grain state type, as a new grain starts it, survives a write and a read through the platform's storage")]
    public async Task Every_state_type_round_trips()
    {
        var serializer = fx.Services.GetRequiredService<IGrainStorageSerializer>();
        var stateTypes = typeof(RoutingConfigState).Assembly.GetTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .SelectMany(c => c.GetParameters())
            .Where(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(IPersistentState<>))
            .Select(p => p.ParameterType.GetGenericArguments()[0])
            .Distinct()
            .ToList();
        Assert.True(stateTypes.Count >= 10, $"found only {stateTypes.Count} grain state types");

        var failures = new List<string>();
        foreach (var type in stateTypes)
        {
            try
            {
                var state = Activator.CreateInstance(type, nonPublic: true)!;
                var method = typeof(IGrainStorageSerializer).GetMethod(nameof(IGrainStorageSerializer.Deserialize))!.MakeGenericMethod(type);
                var back = method.Invoke(serializer, [serializer.Serialize(state)]);
                Assert.IsType(type, back);
            }
            catch (Exception e)
            {
                failures.Add($"{type.Name}: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
