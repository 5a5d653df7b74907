using Conversations.Prompting.Budget;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>After a delivered answer, off the time-to-first-token path: the user's memory learns from the question, and the conversation folds old turns into its summary.</summary>
internal static class SummaryFold
{
    /// <summary>
    /// Hands the question (as stored) to the user's memory: before the turn's last event, so what the user said is
    /// remembered by the time the answer's stream ends. A failure is logged: the answer is stored and still ends in done.
    /// </summary>
    public static async Task RememberAsync(ChatTurn turn)
    {
        // An evaluation case's question is no statement of the user it is asked as (see ContextStage).
        if (Evaluation.EvaluationConversations.Is(turn.Conversation.ConversationId)) return;
        try
        {
            await turn.Conversation.User(turn.Caller.UserId).RememberFromMessageAsync(turn.Moderation.Verdict.TextToStore);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ChatLog.RememberFailed(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, e);
        }
    }

    /// <summary>
    /// Folds the oldest turns into the summary once the window passes the tenant's threshold, in one step down to the
    /// target. Runs after the stream has ended; the conversation's next question waits for it.
    /// </summary>
    public static async Task FoldIfNeededAsync(ChatTurn turn)
    {
        var (conversation, pipeline, state) = (turn.Conversation, turn.Pipeline, turn.Conversation.State);
        var budget = ChatBudgets.For(turn.Settings);
        var plan = new ContextWindowPlanner(budget).PlanFold(conversation.Log.RecentTurns(excludingSeq: null));
        if (!plan.ShouldFold) return;
        var folded = plan.TurnsToFold.SelectMany(t => t.Messages).ToList();
        var maxTokens = budget.MaxSummaryTokens;
        // The summary is billed like a turn, under its own id: budget reservation, settlement and a usage record.
        var foldId = $"fold-{conversation.ConversationId}-{plan.TurnsToFold[^1].LastSequence}";
        var written = await pipeline.Summarizer.SummarizeAsync(state.State.Summary, folded, maxTokens,
            promptTokens => pipeline.Router.ChooseSummaryModelAsync(conversation.TenantId, foldId, promptTokens, maxTokens), CancellationToken.None);
        var cost = await pipeline.Router.SummaryFinishedAsync(written.Choice, written.Usage);
        if (written.Usage is { } used)
            await pipeline.Usage.WriteAsync([new UsageRecord(conversation.TenantId, turn.Caller.UserId, conversation.ConversationId, foldId, written.Choice.ModelId,
                used.PromptTokens, used.CachedPromptTokens, used.CompletionTokens, cost, UsageKinds.Summary, 0, written.Estimated, turn.StartedAt)]);
        state.State.Summary = written.Text;
        state.State.SummarizedThroughSeq = plan.TurnsToFold[^1].LastSequence;
        await state.WriteStateAsync();
        conversation.Log.DropThrough(state.State.SummarizedThroughSeq);
        // The prefix changes anyway with the new summary: pick up memory learned since.
        await conversation.Prompt.ReloadMemoryAsync(conversation.User(turn.Caller.UserId));
        ChatLog.Folded(pipeline.Logger, conversation.TenantId, conversation.ConversationId, folded.Count, pipeline.Tokens.Count(written.Text));
    }
}
