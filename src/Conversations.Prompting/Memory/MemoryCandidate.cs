namespace Conversations.Prompting.Memory;

/// <summary>A fact found in a user message, before it is merged into <see cref="UserMemory"/>.</summary>
/// <param name="Slot">What the fact is about (see <see cref="MemorySlots"/>).</param>
/// <param name="Text">The rendered fact.</param>
public sealed record MemoryCandidate(string Slot, string Text);
