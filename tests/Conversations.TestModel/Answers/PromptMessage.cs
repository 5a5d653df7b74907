namespace Conversations.TestModel.Answers;

/// <summary>One message of a chat request as the test server saw it (text parts joined).</summary>
public sealed record PromptMessage(string Role, string Content)
{
    /// <summary>The URLs of the message's <c>image_url</c> content parts, in order (data URLs for inline images).</summary>
    public IReadOnlyList<string> ImageUrls { get; init; } = [];
}
