namespace Conversations.Prompting;

/// <summary>One message of the prompt sent to the model.</summary>
/// <param name="Role">A <see cref="ChatRoles"/> value.</param>
/// <param name="Content">The message text.</param>
public sealed record PromptMessage(string Role, string Content);
