namespace Conversations.Prompting.Layout;

/// <summary>A knowledge-base passage retrieved for the question, best-ranked first; its id is what answers cite.</summary>
/// <param name="Id">Citation id, e.g. "doc42#3".</param>
/// <param name="Text">The passage.</param>
/// <param name="Title">Document title shown with the passage, if any.</param>
public sealed record RetrievedChunk(string Id, string Text, string? Title = null);
