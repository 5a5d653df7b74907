namespace Conversations.Api.Chat;

/// <summary>Configuration section <c>Chat</c>, as the API reads it.</summary>
internal sealed class ChatApiOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Chat";

    /// <summary>Longest accepted user message, in characters (413 above it).</summary>
    public int MaxMessageChars { get; set; } = 16_000;

    /// <summary>
    /// Seconds of silence in a turn's stream (a slow model's first token) after which a <c>progress</c> event with stage
    /// <c>waiting</c> is sent (on the OpenAI-compatible route: the stream starts and an SSE comment line is sent), so
    /// idle-connection timeouts of proxies and mobile networks do not cut it; 0 sends none.
    /// </summary>
    public double HeartbeatSeconds { get; set; } = 15;
}
