using Conversations.Grains.Chat;
using Conversations.Grains.Moderation.Events;
using Conversations.Grains.Moderation.Lexicons;
using Conversations.Grains.Moderation.RateLimiting;
using Conversations.Grains.Moderation.Turn;
using Conversations.Moderation.Green;
using Conversations.Moderation.Moderators;
using Conversations.Storage.Moderation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Conversations.Grains.Moderation;

/// <summary>Wires moderation into a silo: the engine and Green client, lexicon cache, event writer and the turn's <see cref="ITurnModeration"/>.</summary>
public static class ModerationServiceExtensions
{
    /// <summary>Adds moderation (section <c>Moderation</c>, Green in <c>Moderation:Green</c>); needs the platform services (data source) too.</summary>
    public static IServiceCollection AddModeration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddContentModeration(o => configuration.GetSection(GreenOptions.SectionName).Bind(o));
        services.AddOptions<ModerationOptions>().Bind(configuration.GetSection(ModerationOptions.Section))
            .Validate(o => o.LexiconVersionCacheTime >= TimeSpan.Zero && o.EventWriteWait > TimeSpan.Zero && o.EventBatchSize is >= 1 and <= 10_000,
                "Moderation: LexiconVersionCacheTime must not be negative, EventWriteWait must be positive, EventBatchSize 1–10000.")
            .Validate(o => o.OutputForcedTailChars >= 16 && o.OutputMaxHoldChars > o.OutputForcedTailChars,
                "Moderation: OutputForcedTailChars must be at least 16 and OutputMaxHoldChars larger than it.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(RateLimitClock.System);
        services.AddSingleton<LexiconStore>();
        services.TryAddSingleton<ModerationEventStore>(); // also wired for the API's read services: one registration
        services.AddSingleton<ModerationEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ModerationEventWriter>());
        services.AddHostedService<ModerationCoverageCheck>();
        services.AddSingleton<TenantLexiconCache>();
        // The turn's checkers are made per check (with Green configured they hold a typed HttpClient whose handlers the
        // factory rotates), so the turn's moderation takes their factories.
        services.TryAddSingleton<Func<IContentModerator>>(sp => sp.GetRequiredService<IContentModerator>);
        services.TryAddSingleton<Func<IOutputWindowModerator>>(sp => sp.GetRequiredService<IOutputWindowModerator>);
        // Replaces the chat wiring's pass-through default.
        services.Replace(ServiceDescriptor.Singleton<ITurnModeration, TurnModeration>());
        return services;
    }
}
