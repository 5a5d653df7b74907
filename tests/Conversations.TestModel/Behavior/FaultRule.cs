namespace Conversations.TestModel.Behavior;

/// <summary>A fault the test server injects: what happens, and which requests it hits.</summary>
public sealed record FaultRule
{
    /// <summary>Longest a timeout or stall holds a connection before closing it, unless <see cref="Hold"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(30);

    /// <summary>What the fault does.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
    public FaultKind Kind { get; init; } = FaultKind.Status;

    /// <summary>HTTP status for <see cref="FaultKind.Status"/> (500, 503, 429, ...).</summary>
    public int StatusCode { get; init; } = 500;

    /// <summary>Retry-After sent with 429 and 503 responses.</summary>
    [JsonPropertyName("retryAfterMs"), JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Tokens streamed before a mid-stream stall or abort.</summary>
    public int AfterTokens { get; init; } = 3;

    /// <summary>How long a timeout or stall holds the connection before closing it; the extra delay of a slow first token.</summary>
    [JsonPropertyName("holdMs"), JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan Hold { get; init; } = DefaultHold;

    /// <summary>Hit only the next N requests to the model; null hits every request.</summary>
    public int? Count { get; init; }

    /// <summary>Chance that a request is hit (drawn from a seeded generator, so runs repeat).</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Seed of the generator behind <see cref="Probability"/>.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A fault that answers every request (or the next <paramref name="count"/>) with an HTTP status.</summary>
    public static FaultRule Status(int statusCode, int? count = null) => new() { Kind = FaultKind.Status, StatusCode = statusCode, Count = count };

    /// <summary>A fault that accepts requests and never sends response headers (bounded by <paramref name="hold"/>).</summary>
    public static FaultRule Timeout(TimeSpan? hold = null, int? count = null) => new() { Kind = FaultKind.Timeout, Hold = hold ?? DefaultHold, Count = count };

    /// <summary>A fault that streams <paramref name="afterTokens"/> tokens then sends nothing (bounded by <paramref name="hold"/>).</summary>
    public static FaultRule Stall(int afterTokens, TimeSpan? hold = null, int? count = null) => new() { Kind = FaultKind.StallMidStream, AfterTokens = afterTokens, Hold = hold ?? DefaultHold, Count = count };

    /// <summary>A fault that streams <paramref name="afterTokens"/> tokens then drops the connection.</summary>
    public static FaultRule Abort(int afterTokens, int? count = null) => new() { Kind = FaultKind.AbortMidStream, AfterTokens = afterTokens, Count = count };

    /// <summary>A fault that delays the first token by <paramref name="delay"/> on top of the model's own latency.</summary>
    public static FaultRule SlowFirstToken(TimeSpan delay, int? count = null) => new() { Kind = FaultKind.SlowFirstToken, Hold = delay, Count = count };
}
