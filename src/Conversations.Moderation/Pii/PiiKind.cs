namespace Conversations.Moderation.Pii;

/// <summary>The kinds of personal data and secrets the built-in detectors find.</summary>
public enum PiiKind
{
    /// <summary>An e-mail address.</summary>
    Email,

    /// <summary>A mainland China mobile number (11 digits, optional +86).</summary>
    ChinaMobile,

    /// <summary>An international number in E.164 style (+country code, 8–15 digits).</summary>
    InternationalPhone,

    /// <summary>A mainland China resident identity card number (GB 11643, check digit valid).</summary>
    ChinaResidentId,

    /// <summary>A payment card number (13–19 digits, Luhn valid).</summary>
    BankCard,

    /// <summary>An IPv4 address.</summary>
    IPv4,

    /// <summary>An API key or access token.</summary>
    ApiKey,

    /// <summary>A password written as "password: …" / "密码：…".</summary>
    Password,
}

/// <summary>One detected span of personal data or a secret, in the offsets of the text the detector scanned.</summary>
public readonly record struct PiiSpan(int Start, int End, PiiKind Kind);

/// <summary>Labels, risk levels and confidences for each <see cref="PiiKind"/>.</summary>
internal static class PiiKinds
{
    /// <summary>The result label reported for a kind (Green-style snake case).</summary>
    public static string Label(this PiiKind kind) => kind switch
    {
        PiiKind.Email => "pii_email",
        PiiKind.ChinaMobile or PiiKind.InternationalPhone => "pii_phone",
        PiiKind.ChinaResidentId => "pii_id_card",
        PiiKind.BankCard => "pii_bank_card",
        PiiKind.IPv4 => "pii_ip_address",
        PiiKind.ApiKey => "secret_api_key",
        _ => "secret_password",
    };

    /// <summary>True for credentials (masked in every phase), false for personal data.</summary>
    public static bool IsSecret(this PiiKind kind) => kind is PiiKind.ApiKey or PiiKind.Password;

    /// <summary>How risky the kind is when it appears.</summary>
    public static RiskLevel Risk(this PiiKind kind) => kind switch
    {
        PiiKind.ApiKey or PiiKind.Password => RiskLevel.High,
        PiiKind.ChinaResidentId or PiiKind.BankCard => RiskLevel.Medium,
        _ => RiskLevel.Low,
    };

    /// <summary>Confidence 0–100: checksum-validated kinds are near certain, pattern-only kinds less so.</summary>
    public static double Confidence(this PiiKind kind) => kind switch
    {
        PiiKind.ChinaResidentId or PiiKind.BankCard => 99,
        PiiKind.Email or PiiKind.ChinaMobile or PiiKind.Password => 95,
        PiiKind.ApiKey => 90,
        _ => 85,
    };
}
