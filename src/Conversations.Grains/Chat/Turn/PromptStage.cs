using Conversations.Contracts.Chat;
using Conversations.Models.Chat;
using Conversations.Prompting.Layout;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 5: the prompt, stable prefix first, with the question as the model may see it; images (the question's, and
/// earlier questions' still in the window, see <see cref="EarlierImages"/>) are counted in its layout.
/// </summary>
internal sealed class PromptStage : ITurnStage
{
    /// <inheritdoc />
    public IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, CancellationToken cancellationToken)
    {
        var (conversation, question) = (turn.Conversation, turn.Commit.Question);
        var earlier = EarlierImages.Choose(turn, question.Seq);
        turn.Prompt = conversation.Prompt.Build(turn.Settings, conversation.State.State.Summary,
            conversation.Log.RecentTurns(excludingSeq: question.Seq, earlier.ToDictionary(e => e.Key, e => e.Value.Count)),
            question with { Content = turn.Moderation.Verdict.TextForModel }, turn.Retrieval, turn.Images.Count);
        // A client's cap lowers the answer limit, never raises it; the budget's worst case follows from the prompt.
        if (turn.RequestedMaxOutputTokens is { } cap && cap < turn.Prompt.MaxOutputTokens)
        {
            turn.Prompt = turn.Prompt with { MaxOutputTokens = cap };
            turn.ClientCappedOutput = true;
        }
        turn.EarlierImagePlaces = EarlierImages.Place(turn.Prompt, earlier);
        var questionIndex = turn.Prompt.Messages.Count - 1;
        turn.Request = new ModelRequest(turn.Prompt.Messages, turn.Prompt.MaxOutputTokens,
            CacheKey: PromptCacheHints.CacheKey(conversation.TenantId, conversation.ConversationId),
            Images: turn.Images.Count == 0 ? null : turn.Images.Select(i => new ModelImage(i.Content, i.MediaType, questionIndex)).ToList());
        turn.Calls.Verdict = turn.Moderation.Verdict;
        return AsyncEnumerable.Empty<ChatEvent>();
    }
}
