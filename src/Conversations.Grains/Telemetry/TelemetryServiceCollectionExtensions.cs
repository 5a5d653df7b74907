using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Conversations.Grains.Telemetry;

/// <summary>OpenTelemetry metrics for every host: the platform's meter, Orleans, Npgsql and the .NET runtime.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the meters; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>Telemetry:OtlpEndpoint</c>) set, exports them
    /// over OTLP. <paramref name="configure"/> lets a host add its own instrumentation and exporters (the API's /metrics).
    /// </summary>
    public static IServiceCollection AddPlatformTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        Action<MeterProviderBuilder>? configure = null)
    {
        var otlp = configuration["Telemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PlatformMetrics.MeterName, "Microsoft.Orleans", "Npgsql");
                metrics.AddRuntimeInstrumentation();
                if (!string.IsNullOrWhiteSpace(otlp))
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                configure?.Invoke(metrics);
            });
        return services;
    }
}
