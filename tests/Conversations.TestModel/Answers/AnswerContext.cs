namespace Conversations.TestModel.Answers;

/// <summary>What an answer is computed from: the requested model and the request's messages.</summary>
public sealed record AnswerContext(string Model, IReadOnlyList<PromptMessage> Messages)
{
    /// <summary>The content of the last user message, or an empty string when there is none.</summary>
    public string LastUserMessage
    {
        get
        {
            for (var i = Messages.Count - 1; i >= 0; i--)
            {
                if (Messages[i].Role == "user")
                {
                    return Messages[i].Content;
                }
            }

            return string.Empty;
        }
    }
}
