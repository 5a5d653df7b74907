using Conversations.Contracts.Chat;

namespace Conversations.Contracts.Feedback;

/// <summary>A rating of one assistant message: thumbs down when <see cref="Negative"/>, with an optional comment.</summary>
[GenerateSerializer, Immutable, Alias("feedback-vote")]
public sealed record FeedbackVote(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] bool Negative,
    [property: Id(3)] string Comment);

/// <summary>What became of a vote.</summary>
[GenerateSerializer, Alias("feedback-outcome")]
public enum FeedbackOutcome
{
    /// <summary>No such message in a conversation of the caller.</summary>
    MessageNotFound = 0,
    /// <summary>The message is not an assistant message.</summary>
    NotAnAnswer = 1,
    /// <summary>Stored as the caller's first vote on the message (and counted on its canary arm).</summary>
    FirstVote = 2,
    /// <summary>Replaced the caller's earlier vote on the message (counted once, with its last vote).</summary>
    Replaced = 3,
}

/// <summary>
/// Feedback on answers, key <c>{tenant}</c>: stores a vote on the caller's own assistant message and counts each
/// message once, with its last vote, on the tenant's canary arm the message's model belongs to. Stateless: the votes live in a table.
/// </summary>
[Alias("feedback")]
public interface IFeedbackGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="vote"/> by <paramref name="caller"/>, who must own the conversation.</summary>
    [Alias("rate")]
    Task<FeedbackOutcome> RateAsync(Caller caller, FeedbackVote vote);
}
