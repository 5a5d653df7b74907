using Conversations.Contracts.Chat;
using Conversations.Models.Chat;
using Conversations.Prompting.Layout;

namespace Conversations.Grains.Chat.Turn;

/// <summary>Stage 5: the prompt, stable prefix first, with the question as the model may see it; its images are counted in the layout.</summary>
internal sealed class PromptStage : ITurnStage
{
    /// <inheritdoc />
    public IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, CancellationToken cancellationToken)
    {
        var (conversation, question) = (turn.Conversation, turn.Commit.Question);
        turn.Prompt = conversation.Prompt.Build(turn.Settings, conversation.State.State.Summary, conversation.Log.RecentTurns(excludingSeq: question.Seq),
            question with { Content = turn.Moderation.Verdict.TextForModel }, turn.Retrieval, turn.Images.Count);
        turn.Request = new ModelRequest(turn.Prompt.Messages, turn.Prompt.MaxOutputTokens,
            CacheKey: PromptCacheHints.CacheKey(conversation.TenantId, conversation.ConversationId),
            Images: turn.Images.Count == 0 ? null : turn.Images.Select(i => new ModelImage(i.Content, i.MediaType)).ToList());
        turn.Calls.Verdict = turn.Moderation.Verdict;
        return AsyncEnumerable.Empty<ChatEvent>();
    }
}
