using System.Text.Json.Serialization;

namespace Conversations.Api.Moderation;

/// <summary>Body of PUT /v1/moderation/lexicons/{name}: <c>words</c> match as whole words (anywhere in CJK), <c>substringWords</c> also
/// inside longer words; <c>scope</c> says which texts it checks ("both", the default, "input" or "output").</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record PutLexiconRequest(
    IReadOnlyList<string>? Words, string? RiskLevel, string? Action, string? Label, IReadOnlyList<string>? SubstringWords = null, string? Scope = null);

/// <summary>A lexicon as the admin sees it.</summary>
internal sealed record LexiconDto(
    string Name, IReadOnlyList<string> Words, string RiskLevel, string Action, string Label, DateTimeOffset UpdatedAt, IReadOnlyList<string> SubstringWords,
    string Scope);

/// <summary>The tenant's lexicons and their version.</summary>
internal sealed record LexiconListDto(long Version, IReadOnlyList<LexiconDto> Lexicons);

/// <summary>The lexicon version after an edit.</summary>
internal sealed record LexiconVersionDto(string Name, long Version);

/// <summary>One moderation event; <see cref="Content"/> is stored masked.</summary>
internal sealed record ModerationEventDto(
    long Id, string UserId, string ConversationId, string TurnId, string Phase, string Action, string RiskLevel,
    IReadOnlyList<string> Labels, IReadOnlyList<string> Libraries, IReadOnlyList<string> Checkers, string Content, DateTimeOffset CreatedAt);

/// <summary>A page of events, newest first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next page.</summary>
internal sealed record ModerationEventPage(IReadOnlyList<ModerationEventDto> Events, string? NextCursor);
