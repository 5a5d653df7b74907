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

    /// <summary>Turns that ended, by <c>outcome</c> (complete, refused, failed, interrupted) and <c>model</c>.</summary>
    public static readonly ModelLabelledCounter<long> Turns = new(Meter.CreateCounter<long>("conversations.turns", "{turn}", "Chat turns that ended, by outcome and model."));

    /// <summary>Time from the turn's start in the grain to the first answer text released to the user.</summary>
    public static readonly ModelLabelledHistogram<double> TimeToFirstToken = new(Meter.CreateHistogram<double>(
        "conversations.turn.time_to_first_token", "ms", "Time from the start of a turn to its first released answer text."));

    /// <summary>Time from the turn's start to its last event.</summary>
    public static readonly ModelLabelledHistogram<double> TurnDuration = new(Meter.CreateHistogram<double>("conversations.turn.duration", "ms", "Time from the start of a turn to its end."));

    /// <summary>Tokens by <c>kind</c> (prompt, cached, completion) and <c>model</c>.</summary>
    public static readonly ModelLabelledCounter<long> Tokens = new(Meter.CreateCounter<long>("conversations.tokens", "{token}", "Model tokens by kind and model."));

    /// <summary>Cost in USD by <c>model</c>, from the catalog prices.</summary>
    public static readonly ModelLabelledCounter<double> Cost = new(Meter.CreateCounter<double>("conversations.cost", "USD", "Model cost by model."));

    /// <summary>Model attempts that failed, by <c>model</c> and <c>code</c> (model_timeout, model_stalled, model_unavailable).</summary>
    public static readonly ModelLabelledCounter<long> ModelFailures = new(Meter.CreateCounter<long>("conversations.model.failures", "{failure}", "Model attempts that failed, by model and code."));
}
