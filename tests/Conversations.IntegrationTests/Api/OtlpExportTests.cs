using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conversations.IntegrationTests.Api;

/// <summary>OTLP push to a collector configured the standard way (what the Aspire AppHost and most collectors set).</summary>
public sealed class OtlpExportTests
{
    [Fact(DisplayName = "OTEL_EXPORTER_OTLP_ENDPOINT over http/protobuf: metrics reach the collector's /v1/metrics under OTEL_SERVICE_NAME")]
    public async Task Http_protobuf_export_uses_the_signal_path_and_the_service_name()
    {
        await using var collector = await LoopbackServer.StartAsync<OtlpCollector>();
        await using var database = await TestDatabase.CreateAsync("otlp");
        await using var platform = await PlatformProcess.StartApiAsync(new PlatformProcess.Settings(database.ConnectionString, "otlp-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString().TrimEnd('/'),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "otlp-check-host",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            },
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !collector.Received("/v1/metrics", "otlp-check-host")) await Task.Delay(200);
        Assert.True(collector.Received("/v1/metrics", "otlp-check-host"), "exports seen at: " + string.Join(", ", collector.Paths.Distinct()));
    }

    /// <summary>An OTLP/HTTP receiver: takes protobuf exports on any path and keeps each path with its body.</summary>
    public sealed class OtlpCollector : LoopbackServer
    {
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();

        /// <summary>The paths exports were posted to.</summary>
        public IEnumerable<string> Paths => _exports.Select(e => e.Path);

        /// <summary>Whether an export to <paramref name="path"/> carried <paramref name="text"/> (a resource attribute's value).</summary>
        public bool Received(string path, string text) =>
            _exports.Any(e => e.Path == path && Encoding.UTF8.GetString(e.Body).Contains(text, StringComparison.Ordinal));

        /// <inheritdoc />
        protected override void Map(WebApplication app) => app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            _exports.Enqueue((http.Request.Path.Value ?? "", body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
    }
}
