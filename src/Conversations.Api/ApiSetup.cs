using System.Text.Json;
using System.Text.Json.Serialization;
using Conversations.Api.Auth;
using Conversations.Api.Chat;
using Conversations.Api.Demo;
using Conversations.Api.Errors;
using Conversations.Api.Knowledge;
using Conversations.Api.Moderation;
using Conversations.Api.Tenancy;
using Conversations.Api.Users;
using Conversations.Grains.Chat;
using Conversations.Grains.Hosting;
using Conversations.Grains.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Conversations.Api;

/// <summary>Wires the API host: hosting mode, problem details, auth, OpenAPI, routes.</summary>
public static class ApiSetup
{
    /// <summary>Adds everything the API needs. <c>Hosting:Mode</c> = <c>all</c> (silo in this process, the default) or <c>client</c>.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration["Hosting:Mode"] ?? "all";
        if (mode == "client") builder.AddConversationsClient();
        else if (mode == "all") builder.AddConversationsSilo();
        else throw new InvalidOperationException($"Hosting:Mode must be 'all' or 'client', not '{mode}'.");

        var services = builder.Services;
        services.AddOptions<ChatOptions>().Bind(builder.Configuration.GetSection(ChatOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.ProblemDetails.Status == 404 && c.ProblemDetails.Detail is null)
                c.ProblemDetails.Detail = $"No route matches {c.HttpContext.Request.Method} {c.HttpContext.Request.Path}. The API lives under /v1; see /openapi/v1.json.";
            if (c.ProblemDetails.Status == 405 && c.ProblemDetails.Detail is null)
                c.ProblemDetails.Detail = $"{c.HttpContext.Request.Method} is not supported on {c.HttpContext.Request.Path}; see /openapi/v1.json.";
            if (c.ProblemDetails.Status == 413 && c.ProblemDetails.Detail is null)
                c.ProblemDetails.Detail = "The request body is larger than this server accepts. Send less text at a time.";
            if (c.ProblemDetails.Status == 415 && c.ProblemDetails.Detail is null)
                c.ProblemDetails.Detail = "Send the body as JSON with the header Content-Type: application/json.";
            c.ProblemDetails.Detail ??= "The request could not be processed; see /openapi/v1.json for the API.";
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (malformed JSON, missing body) throw so the handler can answer with a friendly 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxRequestBodyBytes", 1L << 20));
        services.AddOpenApi();
        services.AddHostedService<BootstrapKeys>();
        // HTTP server metrics beside the platform's, scraped at /metrics (Prometheus text format).
        var telemetry = services.AddOpenTelemetry().WithMetrics(m => m.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        if (TelemetryServiceCollectionExtensions.OtlpEndpoint(builder.Configuration) is not null)
            telemetry.WithTracing(t => t.AddAspNetCoreInstrumentation()); // the request span is the root of the turn's trace
        return builder;
    }

    /// <summary>Maps the middleware and every route.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // unknown routes get a problem-details 404 too
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
        // Aggregate figures only (no tenant or user ids); Telemetry:PrometheusEndpoint=false turns it off.
        if (app.Configuration.GetValue("Telemetry:PrometheusEndpoint", true)) app.MapPrometheusScrapingEndpoint("/metrics");
        var v1 = app.MapGroup("/v1");
        v1.MapTenancyApi();
        v1.MapConversationsApi();
        v1.MapKnowledgeApi();
        v1.MapMemoryApi();
        v1.MapModerationApi();
        v1.MapRoutingApi();
        return app;
    }
}
