namespace Conversations.Moderation.Messages;

/// <summary>A friendly, classified message shown when a turn is refused or an answer withheld.</summary>
/// <param name="Class">Why.</param>
/// <param name="Language">"zh" or "en".</param>
/// <param name="Text">The message: what happened, why, and what the user can do.</param>
/// <param name="Variant">Which of the class's variants was chosen (deterministic from the seed).</param>
public sealed record RefusalMessage(RefusalClass Class, string Language, string Text, int Variant);
