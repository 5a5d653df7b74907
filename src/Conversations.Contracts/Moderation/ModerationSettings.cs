using System.Text.Json.Serialization;

namespace Conversations.Contracts.Moderation;

/// <summary>A tenant's moderation settings: request and token limits per user and per tenant, and the Green outage policy.</summary>
/// <remarks>
/// Defaults are generous so a tenant that never sets them is limited only against floods. Every "per minute" limit holds
/// over any 60-second window (<see cref="WindowSeconds"/>): there is no burst on top of it.
/// </remarks>
[GenerateSerializer, Immutable, Alias("moderation-settings")]
public sealed record ModerationSettings
{
    /// <summary>Default requests a minute for one user.</summary>
    public const int DefaultUserRequestsPerMinute = 60;
    /// <summary>Default model tokens (prompt + completion) a minute for one user.</summary>
    public const int DefaultUserTokensPerMinute = 100_000;
    /// <summary>Default requests a minute for the whole tenant.</summary>
    public const int DefaultTenantRequestsPerMinute = 6_000;
    /// <summary>Default model tokens a minute for the whole tenant.</summary>
    public const int DefaultTenantTokensPerMinute = 10_000_000;
    /// <summary>Largest value any limit accepts.</summary>
    public const int MaxLimit = 1_000_000_000;
    /// <summary>Green failure mode: let the built-in engine decide alone.</summary>
    public const string FailOpen = "open";
    /// <summary>Green failure mode: refuse turns while Green is unreachable.</summary>
    public const string FailClosed = "closed";

    /// <summary>Requests a minute one user may start.</summary>
    [Id(0)] public int UserRequestsPerMinute { get; init; } = DefaultUserRequestsPerMinute;
    /// <summary>Model tokens a minute one user may use; charged after each turn with the real count.</summary>
    [Id(1)] public int UserTokensPerMinute { get; init; } = DefaultUserTokensPerMinute;
    /// <summary>Requests a minute the whole tenant may start.</summary>
    [Id(2)] public int TenantRequestsPerMinute { get; init; } = DefaultTenantRequestsPerMinute;
    /// <summary>Model tokens a minute the whole tenant may use.</summary>
    [Id(3)] public int TenantTokensPerMinute { get; init; } = DefaultTenantTokensPerMinute;
    /// <summary>"open" (built-in engine decides alone) or "closed" (refuse) while Green is unreachable.</summary>
    [Id(4)] public string GreenFailureMode { get; init; } = FailOpen;
    /// <summary>"open" (default: the local output guard goes on alone) or "closed" (withhold the rest of the answer) while
    /// Green cannot check the answer's windows.</summary>
    [Id(6)] public string GreenOutputFailureMode { get; init; } = FailOpen;
    /// <summary>Bumped on every change; user grains pick up new limits when they see a newer version.</summary>
    [Id(5)] public long Version { get; init; }
    /// <summary>
    /// Personal data (phone, card, e-mail, id numbers) and secrets in a question sent to a model: "default" (masked unless
    /// the model's endpoint is on the operator's allowlist), "mask" (always masked) or "send" (sent as written).
    /// </summary>
    [Id(7)] public string PersonalDataToModels { get; init; } = PersonalDataDefault;

    /// <summary>
    /// The company's own published contacts, never masked as personal data: e-mail addresses (<c>hr@example.com</c>), whole
    /// mail domains (<c>@example.com</c>) and phone numbers. At most <see cref="MaxPublicContacts"/>.
    /// </summary>
    [Id(8)] public IReadOnlyList<string> PublicContacts { get; init; } = [];

    /// <summary>The most entries <see cref="PublicContacts"/> takes.</summary>
    public const int MaxPublicContacts = 100;

    /// <summary>Personal data policy: masked for endpoints outside the operator's allowlist (<c>Chat:PersonalDataAllowedHosts</c>).</summary>
    public const string PersonalDataDefault = "default";
    /// <summary>Personal data policy: always masked before a model sees it.</summary>
    public const string PersonalDataMask = "mask";
    /// <summary>Personal data policy: sent to every model as written.</summary>
    public const string PersonalDataSend = "send";
    /// <summary>The window every limit holds over, in seconds (not a setting: shown so clients know there is no burst).</summary>
    public int WindowSeconds => RateLimitWindowSeconds;

    /// <summary>The value of <see cref="WindowSeconds"/>.</summary>
    public const int RateLimitWindowSeconds = 60;
}

/// <summary>A partial update of <see cref="ModerationSettings"/>; null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("moderation-settings-patch")]
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ModerationSettingsPatch
{
    /// <summary>New per-user requests a minute.</summary>
    [Id(0)] public int? UserRequestsPerMinute { get; init; }
    /// <summary>New per-user tokens a minute.</summary>
    [Id(1)] public int? UserTokensPerMinute { get; init; }
    /// <summary>New tenant requests a minute.</summary>
    [Id(2)] public int? TenantRequestsPerMinute { get; init; }
    /// <summary>New tenant tokens a minute.</summary>
    [Id(3)] public int? TenantTokensPerMinute { get; init; }
    /// <summary>"open" or "closed".</summary>
    [Id(4)] public string? GreenFailureMode { get; init; }
    /// <summary>"open" or "closed", for the answer.</summary>
    [Id(5)] public string? GreenOutputFailureMode { get; init; }
    /// <summary>"default", "mask" or "send".</summary>
    [Id(6)] public string? PersonalDataToModels { get; init; }
    /// <summary>The whole new list of published contacts (replaces the old one; [] empties it).</summary>
    [Id(7)] public IReadOnlyList<string>? PublicContacts { get; init; }
}
