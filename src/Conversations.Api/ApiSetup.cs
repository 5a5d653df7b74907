using System.Text.Json;
using System.Text.Json.Serialization;
using Conversations.Api.Audit;
using Conversations.Api.Auth;
using Conversations.Api.Batches;
using Conversations.Api.Capacity;
using Conversations.Api.Chat;
using Conversations.Api.DataRights;
using Conversations.Api.Demo;
using Conversations.Api.Drift;
using Conversations.Api.Encryption;
using Conversations.Api.Errors;
using Conversations.Api.Evaluation;
using Conversations.Api.Feedback;
using Conversations.Api.Health;
using Conversations.Api.Images;
using Conversations.Api.Knowledge;
using Conversations.Api.Me;
using Conversations.Api.Moderation;
using Conversations.Api.OpenAi;
using Conversations.Api.OpenApi;
using Conversations.Api.Routing;
using Conversations.Api.Security;
using Conversations.Api.Telemetry;
using Conversations.Api.Tenancy;
using Conversations.Api.Usage;
using Conversations.Api.Users;
using Conversations.Hosting;
using Conversations.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Conversations.Api;

/// <summary>Wires the API host: hosting mode, problem details, auth, OpenAPI, routes.</summary>
internal static class ApiSetup
{
    /// <summary>Adds everything the API needs. <c>Hosting:Mode</c> = <c>all</c> (silo in this process, the default) or <c>client</c>.</summary>
    public static WebApplicationBuilder AddApiServices(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration["Hosting:Mode"] ?? "all";
        if (mode == "client") builder.AddConversationsClient();
        else if (mode == "all") builder.AddConversationsSilo();
        else throw new InvalidOperationException($"Hosting:Mode must be 'all' or 'client', not '{mode}'.");

        var services = builder.Services;
        services.AddOptions<ChatApiOptions>().Bind(builder.Configuration.GetSection(ChatApiOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddApiKeyAuth();
        services.AddTransportSecurity(builder.Configuration); // trusted proxies, HSTS, rate limits on every route
        services.AddTenantCors();
        // Request bodies are checked against their data annotations: one 400 lists every bad field.
        services.AddValidation();
        services.AddReadinessChecks();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.ProblemDetails is HttpValidationProblemDetails validation) ValidationProblems.Describe(validation);
            c.ProblemDetails.Detail ??= StatusDetails.For(c.HttpContext, c.ProblemDetails.Status) ?? StatusDetails.Fallback;
            // ASP.NET Core's own answers (an unmatched route, a refused method) name RFC 9110's sections; ours name the
            // status page. One scheme, so a client can branch on type alone.
            if (c.ProblemDetails.Status is { } status && c.ProblemDetails.Type?.StartsWith("https://tools.ietf.org/html/rfc9110", StringComparison.Ordinal) == true)
                c.ProblemDetails.Type = $"https://httpstatuses.io/{status}";
            // One title for a 413 whichever check gave it (an image's own refusal, a form limit, the server's body limit).
            if (c.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge) c.ProblemDetails.Title = Problems.ContentTooLargeTitle;
        });
        // Errors are problem+json whatever the Accept header asks for (an SSE client's errors included).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());
        services.AddOpenAiApi(); // the OpenAI-compatible routes answer errors in OpenAI's shape
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (malformed JSON, missing body) throw so the handler can answer with a friendly 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // Numbers are JSON numbers: "5" is not 5 (and the document types integers as integers, not number|string).
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            // A field sent twice is refused: a reader that keeps the first and one that keeps the last would disagree.
            o.SerializerOptions.AllowDuplicateProperties = false;
            // Every string of every body is checked for text the database cannot store (a 400 naming the field).
            o.SerializerOptions.Converters.Add(new StorableStringConverter());
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Api:MaxRequestBodyBytes", 1L << 20);
            // Long enough that an over-long id reaches the API and gets a problem body, not the server's bare 414.
            k.Limits.MaxRequestLineSize = builder.Configuration.GetValue("Api:MaxRequestLineBytes", 64 * 1024);
            // A phone on a bad network pauses for seconds mid-body; Kestrel's 5 s grace turned a 30-byte message with
            // one such pause into a 408. A slow body still ends, after the grace, below 240 bytes a second.
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240,
                TimeSpan.FromSeconds(builder.Configuration.GetValue("Api:RequestBodyGraceSeconds", 20)));
        });
        builder.ListenOnManagementPort();
        services.AddApiDocument();
        services.AddDemo(builder.Configuration);
        // HTTP server metrics beside the platform's, scraped at /metrics (Prometheus text format).
        var telemetry = services.AddOpenTelemetry().WithMetrics(m => m.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        if (TelemetryServiceCollectionExtensions.OtlpEndpoint(builder.Configuration) is not null)
            telemetry.WithTracing(t => t.AddAspNetCoreInstrumentation()); // the request span is the root of the turn's trace
        return builder;
    }

    /// <summary>Maps the middleware and every route.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        app.UseTransportSecurity();
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // unknown routes get a problem-details 404 too
        app.UseRequestTextCheck();
        app.MapMetricsEndpoint();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseRateLimiter(); // after authentication: a key's bucket is spent only by requests that proved its secret
        app.UseCors(); // after authentication: a request's CORS headers depend on the caller's tenant
        app.UseAuditTrail(); // admin changes and refusals into the audit log; read-only keys stop here
        app.UseAuthorization();
        app.MapOpenApi(ApiDocument.Path);
        app.MapReadiness();
        app.MapDemoModel();
        // Every /v1 route declares the problem answers it can give (400, 401/403, 404, 413, 500, 503) for the document.
        var v1 = app.MapGroup("/v1").WithProblemResponses();
        v1.AddEndpointFilterFactory(QueryParameterCheck.Create);
        v1.MapTenancyApi();
        v1.MapMeApi();
        v1.MapConversationsApi();
        v1.MapImagesApi();
        v1.MapKnowledgeApi();
        v1.MapMemoryApi();
        v1.MapModerationApi();
        v1.MapRoutingAdminApi();
        v1.MapEvaluationApi();
        v1.MapUsageApi();
        v1.MapFeedbackApi();
        v1.MapDriftApi();
        v1.MapBatchApi();
        v1.MapCapacityApi();
        v1.MapOpenAiApi();
        v1.MapAuditApi();
        v1.MapDataExportApi();
        v1.MapTenantCorsApi();
        v1.MapDataKeysApi();
        return app;
    }
}
