using System.Diagnostics.Metrics;

namespace Conversations.Grains.Telemetry;

/// <summary>
/// The platform's own metrics (meter <see cref="MeterName"/>): what an operator's dashboard and alerts need
/// — turns per second by outcome, time to first token, turn duration, tokens and cost by model, model failures.
/// Tags are low-cardinality on purpose (model, outcome, kind): no tenant, user or conversation ids, and the <c>model</c>
/// tag names only operator-configured models and the platform's own answer sources (<see cref="MetricModelLabel"/>).
/// </summary>
public static class PlatformMetrics
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "Conversations";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Turns that ended, by <c>outcome</c> (complete, withheld, incomplete, failed, refused, abandoned, stopped) and <c>model</c>.</summary>
    internal static readonly ModelLabelledCounter<long> Turns = new(Meter.CreateCounter<long>("conversations.turns", "{turn}", "Chat turns that ended, by outcome and model."));

    /// <summary>Time from the turn's start in the grain to the first answer text released to the user.</summary>
    internal static readonly ModelLabelledHistogram<double> TimeToFirstToken = new(Meter.CreateHistogram<double>(
        "conversations.turn.time_to_first_token", "ms", "Time from the start of a turn to its first released answer text.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [50, 100, 250, 500, 1000, 2000, 3000, 5000, 8000, 15000, 30000] }));

    /// <summary>Time per output token after the first (time to last text minus time to first text, over completion tokens − 1).</summary>
    internal static readonly ModelLabelledHistogram<double> TimePerOutputToken = new(Meter.CreateHistogram<double>(
        "conversations.turn.time_per_output_token", "ms", "Streaming time per output token after the first.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 1000] }));

    /// <summary>Time from the turn's start to its last event.</summary>
    internal static readonly ModelLabelledHistogram<double> TurnDuration = new(Meter.CreateHistogram<double>("conversations.turn.duration", "ms", "Time from the start of a turn to its end."));

    /// <summary>Tokens by <c>kind</c> (prompt, cached, completion) and <c>model</c>.</summary>
    internal static readonly ModelLabelledCounter<long> Tokens = new(Meter.CreateCounter<long>("conversations.tokens", "{token}", "Model tokens by kind and model."));

    /// <summary>Cost in USD by <c>model</c>, from the catalog prices.</summary>
    internal static readonly ModelLabelledCounter<double> Cost = new(Meter.CreateCounter<double>("conversations.cost", "USD", "Model cost by model."));

    /// <summary>Model attempts that failed, by <c>model</c> and <c>code</c> (model_timeout, model_stalled, model_unavailable).</summary>
    internal static readonly ModelLabelledCounter<long> ModelFailures = new(Meter.CreateCounter<long>("conversations.model.failures", "{failure}", "Model attempts that failed, by model and code."));

    /// <summary>Moves to the next model of a turn's chain after a failed attempt, by the failed <c>model</c> and the <c>next</c> one.</summary>
    internal static readonly ModelLabelledCounter<long> Fallbacks = new(Meter.CreateCounter<long>("conversations.model.fallbacks", "{fallback}", "Turns that moved on to a backup model."));

    /// <summary>Small-model answers replaced by the large model's because they showed the model out of its depth, by the small <c>model</c> and the <c>next</c> one.</summary>
    internal static readonly ModelLabelledCounter<long> Escalations = new(Meter.CreateCounter<long>("conversations.model.escalations", "{escalation}", "Answers escalated to a stronger model."));

    /// <summary>Requests refused by a rate limit, by <c>scope</c> (user, tenant) and <c>limit</c> (requests, tokens).</summary>
    internal static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>("conversations.rate_limit.rejections", "{request}", "Requests refused by a rate limit.");

    /// <summary>Answer-cache lookups by <c>result</c> (exact, semantic, miss).</summary>
    internal static readonly Counter<long> AnswerCacheLookups = Meter.CreateCounter<long>("conversations.answer_cache.lookups", "{lookup}", "Answer-cache lookups by result.");

    /// <summary>Drift checks by <c>outcome</c> (no_reference, too_few_samples, steady, drifted); no tenant label.</summary>
    public static readonly Counter<long> DriftChecks = Meter.CreateCounter<long>("conversations.drift.checks", "{check}", "Drift checks of tenants' question and answer streams, by outcome.");

    /// <summary>Signals a drift check found breached, by <c>signal</c> (topic, centroid, language, refusal_rate, ...); the drift event names the tenant.</summary>
    public static readonly Counter<long> DriftBreaches = Meter.CreateCounter<long>("conversations.drift.breaches", "{signal}", "Drift signals breached by a check, by signal.");

    /// <summary>Circuit changes by <c>state</c> entered (open, half-open, closed) and <c>scope</c> (shared, tenant).</summary>
    internal static readonly Counter<long> CircuitChanges = Meter.CreateCounter<long>("conversations.circuit.changes", "{change}", "Breaker state changes.");

    /// <summary>Circuits not closed on this silo now, by <c>scope</c> (shared, tenant); alerts fire on shared ones.</summary>
    internal static readonly ObservableGauge<int> OpenCircuits = Meter.CreateObservableGauge("conversations.circuit.open", ObserveOpenCircuits, "{circuit}",
        "Breakers that are open or half-open on this silo.");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> NotClosed = new(StringComparer.Ordinal);

    /// <summary>Notes a breaker's state for <see cref="OpenCircuits"/> (its key stays in this process only; it is no label).</summary>
    public static void TrackCircuit(string breakerKey, bool shared, bool closed)
    {
        if (closed) NotClosed.TryRemove(breakerKey, out _);
        else NotClosed[breakerKey] = shared;
    }

    private static IEnumerable<Measurement<int>> ObserveOpenCircuits()
    {
        var shared = NotClosed.Count(kv => kv.Value);
        yield return new Measurement<int>(shared, new KeyValuePair<string, object?>("scope", "shared"));
        yield return new Measurement<int>(NotClosed.Count - shared, new KeyValuePair<string, object?>("scope", "tenant"));
    }
}
