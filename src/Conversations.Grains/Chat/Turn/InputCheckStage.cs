using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 2, then stage 1: the question is checked before anything else runs, and its text as the check lets it be
/// stored starts committing. A refused question is stored with its refusal, and nothing else runs.
/// </summary>
internal sealed class InputCheckStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (turn.ImageIds.Count > 0) turn.Images = await LoadImagesAsync(turn, cancellationToken);
        turn.Moderation = await turn.Pipeline.Moderation.CheckInputAsync(
            turn.Caller, turn.Conversation.ConversationId, turn.TurnId, turn.Question, turn.Images, cancellationToken);
        turn.Receive(cancellationToken);
        var verdict = turn.Moderation.Verdict;
        if (verdict.Allowed) yield break;

        await foreach (var e in turn.Commit.PassAsync(turn, wait: true)) yield return e;
        if (turn.Outcome is not null) yield break;
        var refusal = verdict.RefusalMessage ?? "This message can't be answered.";
        await RecordStage.RefusedAsync(turn, "moderation", refusal);
        yield return new ErrorEvent(verdict.RefusalCode ?? TurnErrorCodes.InputRefused, refusal, verdict.Retryable) { RiskLevel = verdict.RiskLevel, Labels = verdict.Labels };
    }

    // The asker's own images only (the store's query is scoped to the owner), in the order the message named them.
    private static async Task<IReadOnlyList<TurnImage>> LoadImagesAsync(ChatTurn turn, CancellationToken cancellationToken)
    {
        var rows = await turn.Pipeline.Images.ReadAsync(turn.Caller.TenantId, turn.Caller.UserId, turn.ImageIds, withContent: true, cancellationToken);
        return rows.Select(r => new TurnImage(r.Image.ImageId, r.Image.MediaType, r.Image.Sha256, r.Image.SourceUrl, r.Content!)).ToList();
    }
}
