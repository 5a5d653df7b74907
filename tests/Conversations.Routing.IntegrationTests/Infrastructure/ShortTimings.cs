namespace Conversations.Routing.IntegrationTests.Infrastructure;

/// <summary>
/// Settings every routing test process shares: caches and background flushes short enough that an admin edit or a
/// turn's details show within a test, and only warnings logged.
/// </summary>
internal static class ShortTimings
{
    /// <summary>Sets the short cache lifetimes and flush intervals, and warning-level logging.</summary>
    public static void Apply(IDictionary<string, string> environment)
    {
        environment["Routing__ConfigCacheTtl"] = "00:00:00.2";
        environment["Routing__KnowledgeVersionCacheTtl"] = "00:00:00.2";
        environment["Routing__TurnDetailsFlushInterval"] = "00:00:00.1";
        environment["Routing__BatchItemInterval"] = "00:00:00.05";
        environment["Logging__LogLevel__Default"] = "Warning";
    }
}
