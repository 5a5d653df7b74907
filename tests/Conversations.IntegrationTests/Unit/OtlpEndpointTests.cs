using Conversations.Hosting.Telemetry;
using OpenTelemetry.Exporter;

namespace Conversations.IntegrationTests.Unit;

/// <summary>Telemetry:OtlpEndpoint is set in code, where the exporter adds no signal path: the platform adds it for http/protobuf.</summary>
public sealed class OtlpEndpointTests
{
    [Theory(DisplayName = "Telemetry:OtlpEndpoint sends each signal to its own path over http/protobuf (as OTEL_EXPORTER_OTLP_ENDPOINT does), and to the base address over gRPC")]
    [InlineData("http://collector:4318", OtlpExportProtocol.HttpProtobuf, "v1/traces", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", OtlpExportProtocol.HttpProtobuf, "v1/metrics", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/v1/metrics", OtlpExportProtocol.HttpProtobuf, "v1/metrics", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4317", OtlpExportProtocol.Grpc, "v1/traces", "http://collector:4317/")]
    public void Signal_path_for_http_protobuf(string configured, OtlpExportProtocol protocol, string signal, string expected) =>
        Assert.Equal(new Uri(expected), TelemetryServiceCollectionExtensions.EndpointFor(configured, protocol, signal));
}
