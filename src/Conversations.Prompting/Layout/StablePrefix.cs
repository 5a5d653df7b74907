namespace Conversations.Prompting.Layout;

/// <summary>The leading system message: byte-identical between turns until the summary or memory changes.</summary>
/// <param name="Text">The rendered message content.</param>
/// <param name="TokenCount">Its content tokens.</param>
/// <param name="Hash">Lower-case SHA-256 hex of <paramref name="Text"/> in UTF-8.</param>
/// <param name="Truncated">True when it had to be cut to leave room for the question.</param>
public sealed record StablePrefix(string Text, int TokenCount, string Hash, bool Truncated = false);
