using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Conversations.Moderation.Green;

/// <summary>Settings for the Alibaba Cloud Green 2022-03-02 client; without keys Green is simply not used.</summary>
public sealed partial class GreenOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Moderation:Green";

    /// <summary>Default region.</summary>
    public const string DefaultRegion = "cn-shanghai";

    /// <summary>Region id, e.g. cn-shanghai, cn-beijing, ap-southeast-1.</summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>Overrides the endpoint (tests point it at a local server); default https://green-cip.{Region}.aliyuncs.com.</summary>
    public string? Endpoint { get; set; }

    /// <summary>AccessKey id.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>AccessKey secret.</summary>
    public string? AccessKeySecret { get; set; }

    /// <summary>Timeout of one attempt (default 3 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Timeout of a whole call including retries (default 8 s).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Retries after the first attempt for transient failures (default 2).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base delay of the exponential back-off (default 200 ms).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait honoured from <c>x-acs-retry-after</c> (default 2 s); a longer one fails the call instead.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failure ratio that opens the circuit (default 0.5).</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the circuit may open (default 10).</summary>
    public int CircuitMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit rejects calls (default 15 s).</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>True when both keys are set, i.e. Green should be called.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccessKeyId) && !string.IsNullOrWhiteSpace(AccessKeySecret);

    /// <summary>The endpoint actually used.</summary>
    public Uri EndpointUri => new(string.IsNullOrWhiteSpace(Endpoint) ? $"https://green-cip.{Region}.aliyuncs.com" : Endpoint);

    [GeneratedRegex("^[a-z]{2}(-[a-z0-9]+)+\\z")]
    internal static partial Regex RegionPattern();
}

/// <summary>Validates <see cref="GreenOptions"/> at start-up.</summary>
internal sealed class GreenOptionsValidator : IValidateOptions<GreenOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GreenOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AccessKeyId) != string.IsNullOrWhiteSpace(options.AccessKeySecret))
            errors.Add("Set both AccessKeyId and AccessKeySecret, or neither.");
        if (!GreenOptions.RegionPattern().IsMatch(options.Region ?? ""))
            errors.Add($"Region '{options.Region}' is not a region id like cn-shanghai.");
        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            errors.Add($"Endpoint '{options.Endpoint}' must be an absolute http(s) URL.");
        if (options.AttemptTimeout <= TimeSpan.Zero || options.TotalTimeout <= TimeSpan.Zero)
            errors.Add("Timeouts must be positive.");
        if (options.AttemptTimeout > options.TotalTimeout)
            errors.Add("AttemptTimeout must not exceed TotalTimeout.");
        if (options.MaxRetries is < 0 or > 5)
            errors.Add("MaxRetries must be between 0 and 5.");
        if (options.CircuitFailureRatio is <= 0 or > 1)
            errors.Add("CircuitFailureRatio must be in (0, 1].");
        if (options.CircuitMinimumThroughput < 2)
            errors.Add("CircuitMinimumThroughput must be at least 2.");
        if (options.CircuitBreakDuration < TimeSpan.FromMilliseconds(500))
            errors.Add("CircuitBreakDuration must be at least 0.5 s.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
