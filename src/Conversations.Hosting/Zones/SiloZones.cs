using Microsoft.Extensions.Configuration;

namespace Conversations.Hosting.Zones;

/// <summary>
/// A host's zone (<c>Orleans:Metadata:zone</c>, the same key placement filters read) and how a silo's name carries it
/// in the membership table, where API hosts can read it without a call to any silo.
/// </summary>
internal static class SiloZones
{
    /// <summary>The configuration key of a host's zone.</summary>
    public const string ConfigurationKey = "Orleans:Metadata:zone";

    private const string Prefix = "zone=";

    /// <summary>The configured zone, or null when the host names none.</summary>
    public static string? Of(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } zone ? zone : null;

    /// <summary>A silo name that starts with its zone: <c>zone=ZONE;HOST-PORT</c>.</summary>
    public static string SiloName(string zone, string host, int siloPort) => $"{Prefix}{zone};{host}-{siloPort}";

    /// <summary>The zone a silo name carries, or null for a name without one.</summary>
    public static string? FromSiloName(string siloName)
    {
        if (!siloName.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var end = siloName.IndexOf(';', Prefix.Length);
        return end < 0 ? siloName[Prefix.Length..] : siloName[Prefix.Length..end];
    }
}
