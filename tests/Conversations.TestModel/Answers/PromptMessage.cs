namespace Conversations.TestModel.Answers;

/// <summary>One message of a chat request as the test server saw it (text parts joined).</summary>
public sealed record PromptMessage(string Role, string Content);
