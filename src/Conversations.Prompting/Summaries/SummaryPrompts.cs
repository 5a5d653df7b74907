using System.Text;
using Conversations.Prompting.Budget;
using Conversations.Prompting.History;
using Conversations.Text;

namespace Conversations.Prompting.Summaries;

/// <summary>Instruction text for a model-backed summarizer; deterministic for the same input.</summary>
public static class SummaryPrompts
{
    /// <summary>
    /// The request asking a chat model to update the running summary with the turns being folded, in at most
    /// <paramref name="maxTokens"/> tokens. Send it as one user message (with a low temperature) and use the reply as the summary.
    /// </summary>
    public static string BuildSummaryRequest(string? previousSummary, IReadOnlyList<ChatTurnMessage> turns, int maxTokens = ContextBudget.DefaultMaxSummaryTokens)
    {
        var words = Math.Max(20, maxTokens * 3 / 4);
        var sb = new StringBuilder();
        sb.Append("You maintain the running summary of a conversation between a user and an assistant. ")
          .Append("Update the summary so that it also covers the new messages below.\n\n")
          .Append("Rules:\n")
          .Append("- Keep what later questions may depend on: the user's goals, facts and numbers they gave, names, decisions, ")
          .Append("answers the assistant committed to, source ids cited in brackets, and questions still open.\n")
          .Append("- Keep facts from the current summary unless the new messages correct them; drop small talk and repetition.\n")
          .Append("- Write in the language the user writes in; if the conversation mixes languages, keep each fact in its original language.\n")
          .Append("- Write short plain sentences or \"- \" bullet lines in time order; no headings, no preamble, no commentary.\n")
          .Append($"- At most {words} words (Chinese: at most {maxTokens} characters). Output only the summary.\n\n");

        sb.Append("Current summary:\n").Append(string.IsNullOrWhiteSpace(previousSummary) ? "(none)" : TextNormalizer.Normalize(previousSummary)).Append("\n\n");
        sb.Append("New messages, oldest first:\n");
        foreach (var message in turns)
        {
            var who = message.Role switch
            {
                ChatRoles.User => "User",
                ChatRoles.Assistant => "Assistant",
                _ => "System",
            };
            sb.Append(who).Append(": ").Append(TextNormalizer.Normalize(message.Content)).Append('\n');
        }
        sb.Append("\nUpdated summary:");
        return sb.ToString();
    }
}
