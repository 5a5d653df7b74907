using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Telemetry;

namespace Conversations.Api.Telemetry;

/// <summary>
/// <c>/metrics</c> in Prometheus text format, for the operator only. By default it needs the operator key
/// (<c>Authorization: Bearer</c>, as a Prometheus <c>authorization</c> block sends it). With <c>Telemetry:MetricsPort</c>
/// set, it is served without a key on that management port only (for a scrape from inside the cluster; it listens on
/// <c>Telemetry:MetricsAddress</c>, default 127.0.0.1), and that port serves nothing but <c>/metrics</c> and <c>/healthz</c>. <c>Telemetry:PrometheusEndpoint=false</c> turns it off.
/// </summary>
internal static class MetricsEndpoint
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    /// <summary>The management port from <c>Telemetry:MetricsPort</c>, or null when metrics need the operator key.</summary>
    public static int? ManagementPort(IConfiguration configuration) =>
        configuration.GetValue<int?>("Telemetry:MetricsPort") is int port and > 0 ? port : null;

    /// <summary>Adds the management port to the addresses the server listens on (the API's own addresses stay as configured).</summary>
    public static void ListenOnManagementPort(this WebApplicationBuilder builder)
    {
        if (ManagementPort(builder.Configuration) is not int port) return;
        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (string.IsNullOrWhiteSpace(urls))
        {
            // Setting URLs replaces HTTP_PORTS/HTTPS_PORTS, so carry them over (the container images set HTTP_PORTS).
            var ports = Urls("http", builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey))
                .Concat(Urls("https", builder.WebHost.GetSetting(WebHostDefaults.HttpsPortsKey))).ToList();
            urls = ports.Count > 0 ? string.Join(';', ports) : "http://localhost:5000";
        }
        builder.WebHost.UseUrls($"{urls};http://{ManagementAddress.UrlHost(builder.Configuration[ManagementAddress.Setting])}:{port}");
    }

    /// <summary>Maps <c>/metrics</c> behind the operator key, or on the management port; and keeps that port to metrics and health.</summary>
    public static void MapMetricsEndpoint(this WebApplication app)
    {
        var port = ManagementPort(app.Configuration);
        if (port is int managementPort)
        {
            app.Use(async (http, next) =>
            {
                if (http.Connection.LocalPort == managementPort && http.Request.Path != Path && http.Request.Path != "/healthz")
                {
                    await Problems.NotFound($"'{http.Request.Path}' on the management port").ExecuteAsync(http);
                    return;
                }
                await next(http);
            });
        }
        if (!app.Configuration.GetValue("Telemetry:PrometheusEndpoint", true)) return;
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
        {
            if (await Refusal(http, port) is { } refusal)
            {
                await refusal.ExecuteAsync(http);
                return;
            }
            await next(http);
        }), optionsName: null).ExcludeFromDescription();
    }

    // The socket's local port cannot be forged by a client (a Host header can), so it decides which rule applies.
    private static async Task<IResult?> Refusal(HttpContext http, int? managementPort)
    {
        if (managementPort is int port)
            return http.Connection.LocalPort == port ? null : Problems.NotFound($"'{Path}' (metrics are served on the management port)");
        var caller = await http.RequestServices.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(http.Request, http.RequestAborted);
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized();
        }
        return caller.Role == Roles.Operator ? null : Problems.Forbidden([Roles.Operator]);
    }

    private static IEnumerable<string> Urls(string scheme, string? ports) =>
        (ports ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}");
}
