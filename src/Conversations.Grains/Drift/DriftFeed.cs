using Conversations.Contracts.Drift;
using Conversations.Grains.Chat.Turn;
using Conversations.Grains.Evaluation;

namespace Conversations.Grains.Drift;

/// <summary>
/// What a finished turn tells the tenant's drift sketch: a sample with the question as the model saw it, the embedding
/// the turn already made (else the text the sketch may embed, as retrieval would), and how the turn ended, queued for
/// the silo's next one-way batch (<see cref="DriftSamples"/>). Never awaited and never thrown: drift figures must not
/// slow or fail a turn.
/// </summary>
internal static class DriftFeed
{
    /// <summary>A turn that reached its record stage: answered, or failed after the model ran.</summary>
    public static void Finished(ChatTurn turn, bool delivered, string answer)
    {
        var first = turn.Chain.Count > 0 ? turn.Chain[0].ModelId : null;
        var answeredBy = turn.Answer.ModelName;
        Send(turn, new DriftSample(turn.Moderation.Verdict.TextForModel, turn.Embedding.Made, Refused: false, Answered: delivered,
            Searched: turn.Search is not null, NoSources: turn.Search is not null && turn.Retrieval.Chunks.Count == 0,
            Fallback: delivered && first is not null && answeredBy is not null && answeredBy != first, AnswerChars: delivered ? answer.Length : 0,
            TextToEmbed: turn.Embedding.Text));
    }

    /// <summary>A turn refused by moderation or the router. A retryable refusal (a rate or token limit) says nothing about the questions and is not counted.</summary>
    public static void Refused(ChatTurn turn)
    {
        var verdict = turn.Moderation.Verdict;
        if (verdict.Retryable) return;
        Send(turn, new DriftSample(verdict.Allowed ? verdict.TextForModel : verdict.TextToStore, turn.Embedding.Made, Refused: true,
            Answered: false, Searched: false, NoSources: false, Fallback: false, AnswerChars: 0, TextToEmbed: turn.Embedding.Text));
    }

    // An evaluation case is a synthetic question asked on the admin's behalf, not the tenant's traffic: it would grow the
    // window, and a reference taken after runs would describe the sets rather than the users.
    private static void Send(ChatTurn turn, DriftSample sample)
    {
        if (EvaluationConversations.Is(turn.Conversation.ConversationId)) return;
        turn.Pipeline.DriftSamples.Add(turn.Conversation.TenantId, sample with { UserId = turn.Caller.UserId });
    }
}
