using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 6's plan: the router's routed turn (a chain, a ready answer or a budget refusal). While the question is still
/// committing, the first model call starts here and nothing is released until the commit is done.
/// </summary>
internal sealed class RouteStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var route = turn.Route = await turn.Pipeline.Router.PlanAsync(Context(turn), cancellationToken);
        var plan = route.Plan;
        turn.Chain = plan.ReadyAnswer is null ? plan.Chain : [new ModelCandidate(plan.ReadyAnswerSource ?? "ready", new ReadyAnswerModel(plan.ReadyAnswer))];
        await EarlierImages.AttachAsync(turn, cancellationToken);

        if (!turn.Commit.IsSettled)
        {
            if (plan.RefusalMessage is null)
                turn.Calls.StartEarly(turn.Chain[0], ModelAttemptsStage.FirstRequest(turn), turn.Prompt.PromptTokens, cancellationToken);
            await foreach (var e in turn.Commit.PassAsync(turn, wait: true)) yield return e;
            if (turn.Outcome is not null) yield break;
        }
        if (plan.RefusalMessage is not null)
        {
            await RecordStage.RefusedAsync(turn, "router", plan.RefusalMessage);
            await route.FinishAsync(turn.Calls.Attempts, null, TurnUsage.None, "", false);
            yield return new ErrorEvent(plan.RefusalCode, plan.RefusalMessage, plan.RefusalRetryable);
        }
    }

    private static RoutingContext Context(ChatTurn turn)
    {
        var (conversation, prompt, retrieval) = (turn.Conversation, turn.Prompt, turn.Retrieval);
        // Depth counts stored turns, folded ones too (a folded conversation is never a first question), but not replaced ones.
        var depth = (int)Math.Max(0, (turn.Commit.Question.Seq - 1 - conversation.Log.ReplacedMessages) / 2);
        var privateContext = conversation.Prompt.HasMemory || conversation.State.State.Summary.Length > 0 || depth > 0;
        return new RoutingContext(turn.Caller, conversation.ConversationId, turn.TurnId, turn.Moderation.Verdict.TextForModel, depth, prompt.PromptTokens,
            prompt.MaxOutputTokens, retrieval.Chunks.Count > 0 ? retrieval.Chunks.Max(c => c.Similarity ?? 0) : null,
            retrieval.AclVersion, prompt.IncludedChunkIds, privateContext, conversation.Prompt.MemoryEpoch, turn.RequestedModel, turn.Images.Count,
            turn.ClientCappedOutput)
        {
            Embedding = turn.Embedding,
        };
    }
}
