namespace Conversations.Prompting.Memory;

/// <summary>One durable fact or preference the user stated; plain fields so the grain layer can map and store it.</summary>
/// <param name="Id">Stable id the user deletes it by, e.g. "f12".</param>
/// <param name="Slot">What the fact is about; single-valued slots (name, answer-language…) hold one fact, newest wins.</param>
/// <param name="Text">The rendered fact, e.g. "Answer language: Chinese".</param>
/// <param name="Sequence">Order of remembering; the oldest is evicted first.</param>
/// <param name="TokenCount">Tokens of <paramref name="Text"/>, counted once when remembered.</param>
public sealed record MemoryFact(string Id, string Slot, string Text, long Sequence, int TokenCount);
