namespace Conversations.Api.Chat;

/// <summary>Configuration section <c>Chat</c>, as the API reads it.</summary>
internal sealed class ChatApiOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Chat";

    /// <summary>Longest accepted user message, in characters (413 above it).</summary>
    public int MaxMessageChars { get; set; } = 16_000;
}
