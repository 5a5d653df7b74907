namespace Conversations.Api.Feedback;

/// <summary>Body of the feedback route: "up" or "down", and an optional comment.</summary>
internal sealed record FeedbackBody(string? Rating, string? Comment);

/// <summary>The stored vote.</summary>
internal sealed record FeedbackDto(string ConversationId, long Seq, string Rating, string Comment, bool FirstVote);
