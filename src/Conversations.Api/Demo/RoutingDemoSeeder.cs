using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Demo;

/// <summary>
/// Gives the demo tenant (with <c>Bootstrap:DemoEnabled</c> and a <c>Bootstrap:DemoModelKey</c>) two priced catalog
/// models served by <see cref="DemoModelApi"/>, <c>demo-small</c> and <c>demo-large</c>, and a routing policy between
/// them, so routing, costs, budgets, batches, evaluations and canaries can be tried without a model. Runs only while the
/// tenant has no models and no policy: an admin's own catalog is never touched.
/// </summary>
internal sealed partial class RoutingDemoSeeder(
    IOptions<BootstrapOptions> options, ITenantDirectory directory, IGrainFactory grains, IServer server,
    IHostApplicationLifetime lifetime, ILogger<RoutingDemoSeeder> logger) : BackgroundService
{
    /// <summary>The demo's cheap model.</summary>
    public const string SmallModelId = "demo-small";
    /// <summary>The demo's dear model.</summary>
    public const string LargeModelId = "demo-large";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.DemoEnabled || string.IsNullOrEmpty(o.DemoModelKey)) return;
        await HostStart.WhenStartedAsync(lifetime, stoppingToken);
        try
        {
            await HostStart.WhenTenantExistsAsync(directory, o.DemoTenantId, stoppingToken);
            var routing = grains.GetGrain<IRoutingConfigGrain>(o.DemoTenantId);
            var config = await routing.GetAsync();
            if (config.Models.Count == 0 && config.Policy is null && OwnAddress() is { } address)
            {
                var endpoint = address + DemoModelApi.BasePath;
                // Prices of a small and a large hosted model of 2026, per million tokens, so cost and routing figures read true to scale.
                await routing.PutModelAsync(new ModelRegistration(SmallModelId, endpoint, o.DemoModelKey, "demo", "small", [], 0.15m, 0.075m, 0.60m, 32_768, 0.5m));
                await routing.PutModelAsync(new ModelRegistration(LargeModelId, endpoint, o.DemoModelKey, "demo", "large", [], 2.50m, 1.25m, 10.00m, 32_768, 0.5m));
                await routing.SetPolicyAsync(new RoutingPolicySettings { SmallModelId = SmallModelId, LargeModelId = LargeModelId, FallbackModelIds = [SmallModelId] });
                LogSeeded(logger, o.DemoTenantId, endpoint);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
    }

    // The host's own http address as the platform can call it (a wildcard host becomes loopback).
    private string? OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal));
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            return null;
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost" ? "127.0.0.1" : uri.Host;
        return $"http://{host}:{uri.Port}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo models ready in tenant {Tenant}: demo-small and demo-large at {Endpoint} (the extractive responder), routed small/large")]
    private static partial void LogSeeded(ILogger logger, string tenant, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Registering the demo models failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
