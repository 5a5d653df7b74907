using Conversations.Contracts.Telemetry;
using Conversations.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
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
                .AddOtlpExporter(o => UseConfiguredEndpoint(o, configuration, "v1/traces")));
        }
        telemetry
            // OTEL_SERVICE_NAME (an orchestrator's name for this one process, e.g. silo-2) wins over the host's kind.
            .ConfigureResource(r =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])) r.AddService(serviceName);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PlatformMetrics.MeterName, "Microsoft.Orleans", "Npgsql");
                metrics.AddRuntimeInstrumentation();
                if (otlp is not null)
                    metrics.AddOtlpExporter(o => UseConfiguredEndpoint(o, configuration, "v1/metrics"));
                configure?.Invoke(metrics);
            });
        return services;
    }

    // OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL and _HEADERS are read by the exporter itself, which adds each signal's path
    // (/v1/traces, /v1/metrics) for http/protobuf. An endpoint set in code is used as it is, so Telemetry:OtlpEndpoint
    // gets the signal's path here when the protocol is http/protobuf (gRPC takes the base address).
    private static void UseConfiguredEndpoint(OtlpExporterOptions options, IConfiguration configuration, string signalPath)
    {
        if (configuration["Telemetry:OtlpEndpoint"] is not { } endpoint || string.IsNullOrWhiteSpace(endpoint)) return;
        options.Endpoint = EndpointFor(endpoint, options.Protocol, signalPath);
    }

    /// <summary>The address a signal is exported to from <c>Telemetry:OtlpEndpoint</c>: with http/protobuf, its path added.</summary>
    public static Uri EndpointFor(string endpoint, OtlpExportProtocol protocol, string signalPath) =>
        protocol == OtlpExportProtocol.HttpProtobuf && !endpoint.TrimEnd('/').EndsWith("/" + signalPath, StringComparison.Ordinal)
            ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath)
            : new Uri(endpoint);

    /// <summary>The OTLP endpoint (<c>Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), or null when none is set.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration)
    {
        var endpoint = configuration["Telemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        return string.IsNullOrWhiteSpace(endpoint) ? null : endpoint;
    }
}
