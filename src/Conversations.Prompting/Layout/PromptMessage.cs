using Conversations.Prompting.History;

namespace Conversations.Prompting.Layout;

/// <summary>One message of a prompt: what the prompt builder lays out and what a chat model is sent, as the same value.</summary>
/// <param name="Role">A <see cref="ChatRoles"/> value.</param>
/// <param name="Content">The message text.</param>
public sealed record PromptMessage(string Role, string Content);
