using System.Text.Json;
using Conversations.Contracts;
using Conversations.Contracts.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Conversations.Api.Health;

/// <summary>
/// <c>/healthz</c> says the process runs (liveness); <c>/readyz</c> says it can serve: PostgreSQL answers and the
/// Orleans cluster takes a call. A failing check makes <c>/readyz</c> a 503 problem that names it and why.
/// </summary>
internal static class Readiness
{
    /// <summary>Tag of the checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>How long one check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the database and cluster checks.</summary>
    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("postgres", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<ClusterReadyCheck>("orleans", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        return services;
    }

    /// <summary>Maps <c>/healthz</c> (no checks) and <c>/readyz</c> (the ready checks), both anonymous and outside the document.</summary>
    public static WebApplication MapReadiness(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static readonly JsonSerializerOptions ReadyJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The health data key under which the cluster check names the silo that answered.</summary>
    public const string SiloData = "silo";

    private static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.Headers.CacheControl = "no-store";
        // Probes are anonymous and see no internal address; an operator's key also sees which silo answered.
        var operatorAsks = http.Items[Auth.ApiKeyAuthenticationHandler.CallerItem] is Auth.ApiCaller { Role: Roles.Operator };
        var checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString().ToLowerInvariant(),
            description = e.Value.Description,
            durationMs = (long)e.Value.Duration.TotalMilliseconds,
            silo = operatorAsks && e.Value.Data.TryGetValue(SiloData, out var silo) ? silo as string : null,
        });
        if (report.Status == HealthStatus.Unhealthy)
        {
            var failed = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy)
                .Select(e => $"{e.Key}: {e.Value.Description ?? "failed"}");
            var problem = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Not ready",
                Detail = "This host cannot serve requests now. " + string.Join("; ", failed),
                Type = "https://httpstatuses.io/503",
            };
            problem.Extensions["checks"] = checks;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            return;
        }
        await http.Response.WriteAsJsonAsync(new { status = "ready", checks }, ReadyJson);
    }
}

/// <summary>PostgreSQL answers a round trip.</summary>
internal sealed class DatabaseReadyCheck(IDatabaseProbe database) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await database.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The answer is anonymous: the kind of failure only, no host or port; the log keeps the exception.
            return HealthCheckResult.Unhealthy($"PostgreSQL is unreachable ({e.GetType().Name}).", e);
        }
        catch (OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL did not answer in time.");
        }
    }
}

/// <summary>The Orleans cluster takes a call: a stateless grain answers (through the gateway in client mode), without storage.</summary>
internal sealed class ClusterReadyCheck(IGrainFactory grains) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Which silo answered is an internal address: it goes to an operator's key only (see WriteAsync).
            var silo = await grains.GetGrain<IReadinessGrain>(0).PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("A silo answered.", new Dictionary<string, object> { [Readiness.SiloData] = silo.ToString() ?? "" });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The Orleans cluster is unreachable ({e.GetType().Name}).", e);
        }
        catch (OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The Orleans cluster did not answer in time.");
        }
    }
}
