namespace Conversations.Knowledge.Chunking;

/// <summary>One chunk of a document: its position, text and size in tokens.</summary>
public sealed record TextChunk(int Index, string Text, int TokenCount);
