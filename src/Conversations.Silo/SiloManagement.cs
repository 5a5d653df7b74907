using Conversations.Contracts.Health;
using Conversations.Contracts.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace Conversations.Silo;

/// <summary>
/// The silo's management port (<c>Telemetry:MetricsPort</c>, default 9464; address <c>Telemetry:MetricsAddress</c>,
/// default 127.0.0.1, see <see cref="ManagementAddress"/>): <c>/metrics</c> in Prometheus text format,
/// <c>/healthz</c> (the process runs), <c>/readyz</c> (this silo is active in the cluster and PostgreSQL answers) and
/// <c>/dashboard</c> (the Orleans dashboard: grains, activations, calls per silo).
/// It serves nothing else and carries no tenant data: keep it off public load balancers.
/// </summary>
internal static class SiloManagement
{
    /// <summary>The default management port (the Prometheus exporter's customary one).</summary>
    public const int DefaultPort = 9464;

    /// <summary>Listens on the management port only and adds the Prometheus exporter and the readiness checks.</summary>
    public static void AddSiloManagement(this WebApplicationBuilder builder)
    {
        var port = builder.Configuration.GetValue("Telemetry:MetricsPort", DefaultPort);
        builder.WebHost.UseUrls($"http://{ManagementAddress.UrlHost(builder.Configuration[ManagementAddress.Setting])}:{port}");
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddPrometheusExporter());
        builder.UseOrleans(silo => silo.AddDashboard());
        builder.Services.AddHealthChecks()
            .AddCheck<SiloActiveCheck>("silo", HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(5))
            .AddCheck<SiloDatabaseCheck>("postgres", HealthStatus.Unhealthy, ["ready"], TimeSpan.FromSeconds(5));
    }

    /// <summary>Maps the three management routes.</summary>
    public static void MapSiloManagement(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
    }
}

/// <summary>This silo is <see cref="SiloStatus.Active"/> in the membership view: it takes grain calls.</summary>
internal sealed class SiloActiveCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("Active in the cluster.")
            : HealthCheckResult.Unhealthy($"Silo status is {status}."));
    }
}

/// <summary>PostgreSQL answers a round trip from this silo.</summary>
internal sealed class SiloDatabaseCheck(IDatabaseProbe database) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL is unreachable ({e.GetType().Name}).");
        }
    }
}
