namespace Conversations.Routing.Caching;

/// <summary>A fixed reply for a standard intent, in the language of the message ("en" or "zh").</summary>
public sealed record CannedReply(StandardIntent Intent, string Language, string Text);
