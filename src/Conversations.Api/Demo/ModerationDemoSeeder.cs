using Conversations.Contracts.Moderation;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Demo;

/// <summary>
/// Gives the demo tenant (when <c>Bootstrap:DemoEnabled</c>) the example lexicons: the internal domain
/// <c>jiaoyu.com</c> is blocked (high risk), <c>rude_word</c> is masked; passwords in <c>password: …</c> form are
/// masked by the built-in detectors. Idempotent: a lexicon is written only when it differs.
/// </summary>
internal sealed partial class ModerationDemoSeeder(
    IOptions<BootstrapOptions> options, IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<ModerationDemoSeeder> logger)
    : BackgroundService
{
    private static readonly TaskCompletionSource SeededSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The demo lexicons.</summary>
    public static IReadOnlyList<LexiconDefinition> Lexicons { get; } =
    [
        new("internal_domains", ["jiaoyu.com"], "high", "block", "customized", default),
        new("rude_words", ["rude_word"], "medium", "mask", "abuse", default),
    ];

    /// <summary>Completes when the demo lexicons are in place (tests wait on it).</summary>
    public static Task Seeded => SeededSource.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DemoEnabled) return;
        await HostStart.WhenStartedAsync(lifetime, stoppingToken);
        var tenant = options.Value.DemoTenantId;
        try
        {
            // Lexicons do not need the tenant row, so there is nothing to wait for but the silo.
            await SeedAsync(grains, tenant);
            LogSeeded(logger, tenant);
            SeededSource.TrySetResult();
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
            SeededSource.TrySetException(e);
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo moderation lexicons ready for {Tenant}: jiaoyu.com blocked, rude_word masked, passwords masked")]
    private static partial void LogSeeded(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the demo moderation lexicons failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
