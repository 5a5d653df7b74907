using System.Diagnostics;

namespace Conversations.Contracts.Telemetry;

/// <summary>
/// The platform's spans (source <see cref="SourceName"/>): one <c>chat turn</c> per turn with a <c>model attempt</c> child
/// per model tried, exported with Orleans' and ASP.NET Core's spans when an OTLP endpoint is configured. Unlike metric
/// labels, span attributes carry tenant and conversation ids and the model id: traces go only to the operator's own
/// collector, and troubleshooting one tenant's slow or failed turn needs them. They never carry message text.
/// </summary>
public static class PlatformTracing
{
    /// <summary>The activity source name to subscribe to.</summary>
    public const string SourceName = "Conversations";

    /// <summary>The source.</summary>
    public static readonly ActivitySource Source = new(SourceName, "1.0");

    /// <summary>
    /// Notes on <paramref name="activity"/> (when traced) the moment a step of a turn finished, so a trace shows where the
    /// time before the first token went; without a collector there is no activity and this costs nothing.
    /// </summary>
    public static void Mark(Activity? activity, string step)
    {
        if (activity is { IsAllDataRequested: true }) activity.AddEvent(new ActivityEvent(step));
    }
}
