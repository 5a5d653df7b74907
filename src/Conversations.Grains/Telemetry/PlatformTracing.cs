using System.Diagnostics;

namespace Conversations.Grains.Telemetry;

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
}
