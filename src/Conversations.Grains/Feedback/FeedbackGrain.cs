using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Feedback;
using Conversations.Contracts.Routing;
using Conversations.Prompting.History;
using Conversations.Routing.Router;
using Conversations.Storage.Routing;
using Orleans.Concurrency;

namespace Conversations.Grains.Feedback;

/// <summary>
/// Stores votes on answers and counts each message's last vote on the canary arm its model belongs to. A stateless
/// worker: it holds nothing, the conversation grain checks ownership, the table keeps the votes.
/// </summary>
[StatelessWorker]
internal sealed class FeedbackGrain(RoutingStore store) : Grain, IFeedbackGrain
{
    /// <inheritdoc />
    public async Task<FeedbackOutcome> RateAsync(Caller caller, FeedbackVote vote)
    {
        var tenantId = this.GetPrimaryKeyString();
        if (caller.TenantId != tenantId) throw new ArgumentException("The caller belongs to another tenant.");
        // Ownership: the conversation grain answers only its owner.
        var page = await GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Scoped(tenantId, vote.ConversationId))
            .GetHistoryAsync(caller, vote.Seq + 1, 1);
        var message = page?.Messages.FirstOrDefault(m => m.Seq == vote.Seq);
        if (message is null) return FeedbackOutcome.MessageNotFound;
        if (message.Role != ChatRoles.Assistant) return FeedbackOutcome.NotAnAnswer;

        var (first, wasNegative) = await store.UpsertFeedbackAsync(new FeedbackRecord(
            tenantId, vote.ConversationId, vote.Seq, caller.UserId, message.TurnId, message.Model, vote.Negative, vote.Comment));
        // Tallies count each message once, with its last vote: a changed vote moves the message between up and down.
        var changed = !first && wasNegative is { } was && was != vote.Negative;
        if ((first || changed) && (await GrainFactory.GetGrain<IRoutingConfigGrain>(tenantId).GetAsync()).Policy?.Canary is { } canary
            && ArmOf(canary, message.Model) is { } arm)
        {
            var tally = GrainFactory.GetGrain<ICanaryGrain>(tenantId);
            await (first ? tally.RecordFeedbackAsync(canary, arm, vote.Negative) : tally.ChangeFeedbackAsync(canary, arm, vote.Negative));
        }
        return first ? FeedbackOutcome.FirstVote : FeedbackOutcome.Replaced;
    }

    /// <summary>The canary arm ("candidate" or "baseline") that answered with <paramref name="model"/>, or null when neither did.</summary>
    public static string? ArmOf(CanarySettings canary, string? model) =>
        string.Equals(model, canary.CandidateModelId, StringComparison.OrdinalIgnoreCase) ? CanaryArmNames.Candidate
        : string.Equals(model, canary.BaselineModelId, StringComparison.OrdinalIgnoreCase) ? CanaryArmNames.Baseline : null;
}
