namespace Conversations.Api.Feedback;

/// <summary>Body of the feedback route: "up" or "down", and an optional comment.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record FeedbackBody(string? Rating, string? Comment);

/// <summary>The stored vote.</summary>
internal sealed record FeedbackDto(string ConversationId, long Seq, string Rating, string Comment, bool FirstVote);

/// <summary>A vote as the tenant admin sees it.</summary>
internal sealed record FeedbackEntryDto(
    string ConversationId, long Seq, string UserId, string TurnId, string? Model, string Rating, string Comment, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of votes, newest first; <see cref="NextCursor"/> continues it (null on the last page); the counts cover every vote the filters keep.</summary>
internal sealed record FeedbackPage(IReadOnlyList<FeedbackEntryDto> Votes, string? NextCursor, long Up, long Down);
