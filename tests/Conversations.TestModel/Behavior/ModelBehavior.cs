namespace Conversations.TestModel.Behavior;

/// <summary>How one model name of the test server answers: latency, answer text and injected faults.</summary>
public sealed record ModelBehavior
{
    /// <summary>Default answer length in tokens (words) when no answer is scripted.</summary>
    public const int DefaultAnswerTokens = 24;

    /// <summary>Delay before the first token (streaming) or before the whole response (non-streaming).</summary>
    [JsonPropertyName("timeToFirstTokenMs"), JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Delay between two streamed tokens; non-streaming responses wait the sum of them.</summary>
    [JsonPropertyName("timePerTokenMs"), JsonConverter(typeof(MillisecondsJsonConverter))]
    public TimeSpan TimePerToken { get; init; }

    /// <summary>Length of the generated answer in tokens (words), filler included.</summary>
    public int AnswerTokens { get; init; } = DefaultAnswerTokens;

    /// <summary>A fixed answer returned word by word instead of the generated one.</summary>
    public string? ScriptedAnswer { get; init; }

    /// <summary>Answer with the last user message, verbatim.</summary>
    public bool Echo { get; init; }

    /// <summary>Ignore the request's max_tokens / max_completion_tokens, as some providers do.</summary>
    public bool IgnoresOutputCap { get; init; }

    /// <summary>A fault injected into this model's requests, or none.</summary>
    public FaultRule? Fault { get; init; }

    /// <summary>In-process only: computes the answer text from the request; wins over every other answer setting.</summary>
    [JsonIgnore]
    public Func<AnswerContext, string>? AnswerFactory { get; init; }
}
