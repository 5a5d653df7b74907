namespace Conversations.Moderation;

/// <summary>How risky a piece of content is, in Green's four steps ("none", "low", "medium", "high").</summary>
public enum RiskLevel
{
    /// <summary>Nothing found.</summary>
    None = 0,

    /// <summary>Minor: usually allowed, perhaps masked.</summary>
    Low = 1,

    /// <summary>Notable: masked or blocked depending on policy.</summary>
    Medium = 2,

    /// <summary>Severe: blocked.</summary>
    High = 3,
}

/// <summary>Conversions between <see cref="RiskLevel"/> and Green's wire strings.</summary>
public static class RiskLevels
{
    /// <summary>The Green wire name: "none", "low", "medium" or "high".</summary>
    public static string ToGreenString(this RiskLevel level) => level switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        RiskLevel.High => "high",
        _ => "none",
    };

    /// <summary>Parses a Green risk string (case-insensitive); unknown or empty values read as none.</summary>
    public static RiskLevel FromGreenString(string? value) => TryFromGreenString(value, out var level) ? level : RiskLevel.None;

    /// <summary>Whether <paramref name="value"/> is one of Green's four levels (or absent, which means none).</summary>
    public static bool IsKnownGreen(string? value) => TryFromGreenString(value, out _);

    private static bool TryFromGreenString(string? value, out RiskLevel level)
    {
        (var known, level) = value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "none" => (true, RiskLevel.None),
            "low" => (true, RiskLevel.Low),
            "medium" => (true, RiskLevel.Medium),
            "high" => (true, RiskLevel.High),
            _ => (false, RiskLevel.None),
        };
        return known;
    }

    /// <summary>The higher of two levels.</summary>
    public static RiskLevel Max(RiskLevel a, RiskLevel b) => a >= b ? a : b;
}
