namespace Conversations.Moderation.Engine;

/// <summary>Where a scanned span sits in a stream: the last visible char released before it, and whether more text may follow.</summary>
/// <param name="Before">The last visible char before the span ('\0' when none): decides whether a whole word starts the span.</param>
/// <param name="MoreFollows">True when the span may still grow, so a whole word at its very end waits for the next char.</param>
public readonly record struct ScanContext(char Before, bool MoreFollows);
