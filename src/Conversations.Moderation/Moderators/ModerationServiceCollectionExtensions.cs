using Conversations.Moderation.Engine;
using Conversations.Moderation.Green;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Conversations.Moderation.Moderators;

/// <summary>The one place content moderation is wired.</summary>
public static class ModerationServiceCollectionExtensions
{
    /// <summary>Registers the engine, the Green client (typed HttpClient + shared resilience pipeline) and
    /// <see cref="IContentModerator"/>: Green-backed when keys are configured, built-in only otherwise.</summary>
    public static IServiceCollection AddContentModeration(this IServiceCollection services, Action<GreenOptions>? configureGreen = null)
    {
        var options = services.AddOptions<GreenOptions>();
        if (configureGreen is not null)
            options.Configure(configureGreen);
        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<GreenOptions>, GreenOptionsValidator>();

        services.AddSingleton(new ModerationEngine());
        services.AddSingleton<BuiltInContentModerator>();
        services.AddSingleton(new GreenModeratorOptions());
        // One pipeline per process, so the circuit breaker sees every Green call.
        services.AddKeyedSingleton(GreenResilience.PipelineName, static (sp, _) =>
            GreenResilience.Build(sp.GetRequiredService<IOptions<GreenOptions>>().Value, sp.GetService<TimeProvider>()));
        // Calls that make Green fetch a user's URL have no breaker: one tenant's stalling URLs must not open it for all.
        services.AddKeyedSingleton(GreenResilience.UrlPipelineName, static (sp, _) =>
            GreenResilience.Build(sp.GetRequiredService<IOptions<GreenOptions>>().Value, sp.GetService<TimeProvider>(), breaker: false));
        services.AddHttpClient<IGreenClient, GreenClient>(static (http, sp) => new GreenClient(
            http,
            sp.GetRequiredService<IOptions<GreenOptions>>().Value,
            sp.GetRequiredKeyedService<ResiliencePipeline>(GreenResilience.PipelineName),
            urlPipeline: sp.GetRequiredKeyedService<ResiliencePipeline>(GreenResilience.UrlPipelineName)));
        // Transient: it holds a typed HttpClient, whose handlers the factory rotates.
        services.AddTransient<IContentModerator>(static sp =>
            sp.GetRequiredService<IOptions<GreenOptions>>().Value.IsConfigured
                ? new GreenContentModerator(
                    sp.GetRequiredService<BuiltInContentModerator>(), sp.GetRequiredService<IGreenClient>(),
                    sp.GetRequiredService<GreenModeratorOptions>(), sp.GetService<ILogger<GreenContentModerator>>())
                : sp.GetRequiredService<BuiltInContentModerator>());
        // Answer windows and images: Green when configured, nothing outside otherwise (transient for the same reason).
        services.AddTransient<IOutputWindowModerator>(static sp => (IOutputWindowModerator)ChannelModerator(sp));
        services.AddTransient<IImageModerator>(static sp => (IImageModerator)ChannelModerator(sp));
        return services;
    }

    private static object ChannelModerator(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<GreenOptions>>().Value.IsConfigured
            ? new GreenChannelModerator(sp.GetRequiredService<IGreenClient>(), sp.GetRequiredService<GreenModeratorOptions>(), sp.GetService<ILogger<GreenChannelModerator>>())
            : new NoOutsideModeration();
}
