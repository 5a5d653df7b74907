using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Conversations.Moderation.Green;

/// <summary>The resilience pipeline around each Green call: total timeout, retry, circuit breaker, attempt timeout.</summary>
/// <remarks>
/// It wraps the whole sign-and-send step, not the HTTP handler: every attempt must be signed again with a fresh
/// nonce and date, because Green rejects a replayed nonce — an HTTP-level retry would resend the same signature.
/// </remarks>
internal static class GreenResilience
{
    /// <summary>Name of the pipeline in the resilience registry.</summary>
    public const string PipelineName = "green-moderation";

    /// <summary>Name of the pipeline for calls that make Green fetch a URL a user gave (no circuit breaker).</summary>
    public const string UrlPipelineName = "green-moderation-urls";

    /// <summary>Builds a stand-alone pipeline (tests, or hosts without the registry); <paramref name="breaker"/> false leaves out the circuit breaker.</summary>
    public static ResiliencePipeline Build(GreenOptions options, TimeProvider? timeProvider = null, bool breaker = true)
    {
        var builder = new ResiliencePipelineBuilder();
        if (timeProvider is not null)
            builder.TimeProvider = timeProvider;
        Configure(builder, options, breaker);
        return builder.Build();
    }

    /// <summary>Adds the Green strategies to <paramref name="builder"/>, outermost first.</summary>
    /// <remarks>
    /// The breaker is shared by every tenant, so only calls whose failures are Green's count towards it. When Green
    /// fetches an image or media URL, the user who gave the URL decides whether that fetch stalls or fails: counted,
    /// a few slow URLs from one tenant would open the breaker and take Green away from all of them.
    /// </remarks>
    public static void Configure(ResiliencePipelineBuilder builder, GreenOptions options, bool breaker = true)
    {
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = new PredicateBuilder()
                    .Handle<GreenException>(e => e.IsTransient && (e.RetryAfter is null || e.RetryAfter <= options.MaxRetryAfter))
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(),
                // Green's own hint wins over our back-off.
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Exception is GreenException { RetryAfter: { } after } ? (TimeSpan?)after : null),
            });
        }
        if (breaker) builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitFailureRatio,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = new PredicateBuilder()
                .Handle<GreenException>(e => e.IsTransient || e.Kind == GreenErrorKind.OverQuota)
                .Handle<HttpRequestException>()
                .Handle<TimeoutRejectedException>(),
        });
        builder.AddTimeout(options.AttemptTimeout);
    }
}
