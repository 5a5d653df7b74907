using Conversations.Contracts.Moderation;

namespace Conversations.Api.Moderation;

/// <summary>
/// Gives the demo tenant (when <c>Bootstrap:DemoEnabled</c>) the seed's example lexicons: the internal domain
/// <c>jiaoyu.com</c> is blocked (high risk), <c>rude_word</c> is masked; passwords in <c>password: …</c> form are
/// masked by the built-in detectors. Idempotent: a lexicon is written only when it differs.
/// </summary>
public static partial class ModerationDemoSeeder
{
    /// <summary>The demo lexicons.</summary>
    public static IReadOnlyList<LexiconDefinition> Lexicons { get; } =
    [
        new("internal_domains", ["jiaoyu.com"], "high", "block", "customized", default),
        new("rude_words", ["rude_word"], "medium", "mask", "abuse", default),
    ];

    /// <summary>Completes when the demo lexicons are in place (tests wait on it).</summary>
    public static Task Seeded => SeededSource.Task;

    private static readonly TaskCompletionSource SeededSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Seeds in the background once the host has started, when the demo is enabled.</summary>
    public static void StartWhenEnabled(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        if (!configuration.GetValue<bool>("Bootstrap:DemoEnabled")) return;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var tenant = configuration["Bootstrap:DemoTenantId"] ?? "demo";
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => RunAsync(services, tenant)));
    }

    /// <summary>Puts the demo lexicons on a tenant, skipping those already equal.</summary>
    public static async Task SeedAsync(IGrainFactory grains, string tenant)
    {
        var lexicons = grains.GetGrain<ITenantLexiconGrain>(tenant);
        var current = await lexicons.GetAsync();
        foreach (var wanted in Lexicons)
        {
            var have = current.Lexicons.FirstOrDefault(l => l.Name == wanted.Name);
            if (have is null || !have.Words.SequenceEqual(wanted.Words) || !(have.SubstringWords ?? []).SequenceEqual(wanted.SubstringWords ?? [])
                || have.RiskLevel != wanted.RiskLevel || have.Action != wanted.Action || have.Label != wanted.Label)
                await lexicons.PutAsync(wanted);
        }
    }

    private static async Task RunAsync(IServiceProvider services, string tenant)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModerationDemoSeeder));
        try
        {
            // Lexicons do not need the tenant row, so there is nothing to wait for but the silo.
            await SeedAsync(services.GetRequiredService<IGrainFactory>(), tenant);
            LogSeeded(logger, tenant);
            SeededSource.TrySetResult();
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
            SeededSource.TrySetException(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo moderation lexicons ready for {Tenant}: jiaoyu.com blocked, rude_word masked, passwords masked")]
    private static partial void LogSeeded(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the demo moderation lexicons failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
