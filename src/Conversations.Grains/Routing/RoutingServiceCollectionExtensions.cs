using Conversations.Grains.AnswerCache;
using Conversations.Grains.Chat;
using Conversations.Grains.Health;
using Conversations.Routing.Endpoints;
using Conversations.Storage.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Routing;

/// <summary>Wires the model router into a silo.</summary>
public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the router as the turn's <see cref="ITurnRouter"/> (section <c>Routing</c>), its silo caches, the routing
    /// stores, the batched writer of turn details and the policy for tenants' endpoints (section <c>Endpoints</c>). Needs the platform services and the knowledge feature registered.
    /// </summary>
    public static IServiceCollection AddModelRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.Section))
            .Validate(o => o.ConfigCacheTtl >= TimeSpan.Zero && o.HealthCacheTtl >= TimeSpan.Zero && o.KnowledgeVersionCacheTtl >= TimeSpan.Zero,
                "Routing cache lifetimes must not be negative.")
            .Validate(o => { try { o.HealthOptions().Validate(); o.HealthOptions(shared: true).Validate(); return true; } catch (ArgumentException) { return false; } },
                "Routing breaker settings are out of range (see ModelHealthOptions).")
            .Validate(o => o.BatchItemInterval > TimeSpan.Zero && o.ReservationTimeToLive > TimeSpan.Zero && o.TurnDetailsFlushInterval > TimeSpan.Zero,
                "Routing intervals must be positive.")
            .Validate(o => o.BatchJobsRunningPerTenant >= 1 && o.BatchJobsQueuedPerTenant >= o.BatchJobsRunningPerTenant,
                "Routing:BatchJobsRunningPerTenant must be at least 1, and Routing:BatchJobsQueuedPerTenant at least as many.")
            .Validate(o => o.BatchTokenHeadroom is >= 0 and <= 1, "Routing:BatchTokenHeadroom must be between 0 and 1.")
            .ValidateOnStart();
        // Tenants' endpoints: the operator's policy, its defaults chosen by the environment, checked at start-up.
        services.AddOptions<EndpointPolicyOptions>().Bind(configuration.GetSection(EndpointPolicyOptions.Section))
            .PostConfigure<IHostEnvironment>((o, env) => o.ApplyDefaults(env.EnvironmentName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EndpointPolicyOptions>, EndpointPolicyOptionsValidation>();
        services.AddSingleton(sp => new EndpointPolicy(sp.GetRequiredService<IOptions<EndpointPolicyOptions>>().Value));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoutingStore>(); // also wired for the API's read services: one registration
        services.AddSingleton<AnswerCacheStore>();
        services.TryAddSingleton<BatchStore>();
        services.AddSingleton<RoutingConfigCache>();
        services.AddSingleton<HealthCache>();
        services.AddSingleton<KnowledgeVersions>();
        services.AddSingleton<ChatModelPool>();
        services.TryAddQuestionEmbeddings(); // AddKnowledge replaces it with the knowledge base's model
        services.AddSingleton<QuestionEmbedder>();
        services.AddSingleton<AnswerCacheService>();
        services.AddSingleton<TurnDetailsWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<TurnDetailsWriter>());
        // Replaces the chat wiring's single-model default.
        services.Replace(ServiceDescriptor.Singleton<ITurnRouter, TurnRouter>());
        return services;
    }
}
