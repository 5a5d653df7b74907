using Conversations.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Conversations.Hosting.Telemetry;

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
        var otlp = OtlpEndpoint(configuration);
        // The deployment's own model may appear as a metric label; tenants' catalog models share one label.
        MetricModelLabel.AddOperatorModel(configuration["Models:Chat:ModelId"]);
        var telemetry = services.AddOpenTelemetry();
        if (otlp is not null)
        {
            // Traces only go somewhere with a collector; without one no listener exists and the spans cost nothing.
            telemetry.WithTracing(tracing => tracing
                .AddSource(PlatformTracing.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(o => o.Endpoint = new Uri(otlp)));
        }
        telemetry
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PlatformMetrics.MeterName, "Microsoft.Orleans", "Npgsql");
                metrics.AddRuntimeInstrumentation();
                if (otlp is not null)
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                configure?.Invoke(metrics);
            });
        return services;
    }

    /// <summary>The OTLP endpoint (<c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), or null when none is set.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration)
    {
        var endpoint = configuration["Telemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        return string.IsNullOrWhiteSpace(endpoint) ? null : endpoint;
    }
}
