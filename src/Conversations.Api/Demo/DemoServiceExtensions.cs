namespace Conversations.Api.Demo;

/// <summary>Wires the start-up services of section <c>Bootstrap</c>.</summary>
internal static class DemoServiceExtensions
{
    /// <summary>
    /// Adds the operator key's bootstrap and, when <c>Bootstrap:DemoEnabled</c>, the demo tenant with its keys,
    /// documents, lexicons and (with <c>Bootstrap:DemoModelKey</c>) models; each runs once the host has started.
    /// </summary>
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection(BootstrapOptions.Section));
        services.AddHostedService<BootstrapKeys>();
        services.AddHostedService<KnowledgeDemoSeeder>();
        services.AddHostedService<ModerationDemoSeeder>();
        services.AddHostedService<RoutingDemoSeeder>();
        return services;
    }
}
