using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;

namespace Conversations.Api.Security;

/// <summary>
/// What every request passes before it reaches a route: forwarded headers only from trusted proxies, HSTS on HTTPS,
/// secure response headers, and a rate limit per API key (per client address without one) on every route.
/// TLS itself ends at the proxy or ingress in front of the API (see docs/security.md).
/// </summary>
internal static partial class TransportSecurity
{
    /// <summary>Registers forwarded headers, HSTS and the rate limiter from <c>Api:TrustedProxies</c> and <c>Api:RateLimit:*</c>.</summary>
    public static IServiceCollection AddTransportSecurity(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Only the listed proxies are believed. ASP.NET Core trusts loopback by default, and with both lists empty
            // it believes every sender, so without a listed proxy the headers are not read at all: X-Forwarded-For from
            // a client is its own claim.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in (config["Api:TrustedProxies"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                if (entry.Contains('/')) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                else o.KnownProxies.Add(IPAddress.Parse(entry));
            }
            o.ForwardedHeaders = o.KnownProxies.Count + o.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
        });
        services.AddSingleton<FailedKeyLimiter>();
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
            o.ExcludedHosts.Clear(); // behind a TLS proxy the host may be anything, loopback included
        });
        var perKey = config.GetValue("Api:RateLimit:PerKeyPerMinute", 6000);
        var anonymous = config.GetValue("Api:RateLimit:AnonymousPerMinute", 300);
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var (partition, permits) = PartitionOf(http, perKey, anonymous);
                return permits <= 0
                    ? RateLimitPartition.GetNoLimiter(partition)
                    : RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
                    });
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem("Too many requests from this key or address. Wait for the time in Retry-After, then try again.",
                    statusCode: 429, title: "Too many requests", type: "https://httpstatuses.io/429").ExecuteAsync(http);
            };
        });
        return services;
    }

    // Decided after authentication: a key's bucket counts only requests that proved its secret, since its id is public
    // and anyone could otherwise spend it. A request without a valid key counts against its address, and the failed-key
    // limiter bounds the lookups such requests cost. Probes are not limited.
    private static (string Partition, int Permits) PartitionOf(HttpContext http, int perKey, int anonymous)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz")) return ("probe", 0);
        if (http.Items[Auth.ApiKeyAuthenticationHandler.CallerItem] is Auth.ApiCaller caller) return ("key:" + caller.KeyId, perKey);
        return ("ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), anonymous);
    }

    // The pages load nothing from elsewhere, and an answer (model output, documents) must not make a reader's browser
    // call another host: an image or a fetch with data in its URL is how such text would carry it out.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

    /// <summary>Forwarded headers (first), HSTS and the secure headers, then the rate limiter.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        // Behind a proxy or ingress with none listed, every client has the proxy's address: the per-address limits
        // (requests without a key, made-up keys) then apply to all clients together. Said once, at start.
        if (string.IsNullOrWhiteSpace(app.Configuration["Api:TrustedProxies"]) && !app.Environment.IsDevelopment())
            LogNoTrustedProxies(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TransportSecurity)));
        app.UseForwardedHeaders();
        app.UseHsts();
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (http.Request.Path.StartsWithSegments("/v1")) headers.CacheControl = "no-store";
            return next(http);
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Api:TrustedProxies is not set: X-Forwarded-For is not read and each client is its connection's address. "
        + "Behind a proxy or ingress, list it (Api__TrustedProxies), or the per-address limits apply to all clients together (docs/security.md).")]
    private static partial void LogNoTrustedProxies(ILogger logger);
}
