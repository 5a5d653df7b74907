using Conversations.Prompting.Tokens;
using Conversations.Text;

namespace Conversations.Prompting.Memory;

/// <summary>
/// A user's bounded long-term memory: at most <see cref="MaxFacts"/> facts and <see cref="MaxTokens"/> tokens.
/// Immutable; updates return a new instance (or this one when nothing changed, so callers can skip a write and the
/// cached prompt prefix stays the same). Newest wins within a slot; the oldest facts are evicted when over bounds.
/// </summary>
/// <param name="Facts">Facts in the order they were remembered.</param>
/// <param name="NextSequence">Sequence for the next fact; ids are never reused.</param>
public sealed record UserMemory(IReadOnlyList<MemoryFact> Facts, long NextSequence)
{
    /// <summary>Most facts kept.</summary>
    public const int MaxFacts = 20;

    /// <summary>Most tokens the rendered facts take in the prompt prefix.</summary>
    public const int MaxTokens = 300;

    /// <summary>Longest single fact, in tokens; longer statements are cut.</summary>
    public const int MaxFactTokens = 40;

    /// <summary>No facts.</summary>
    public static UserMemory Empty { get; } = new([], 1);

    /// <summary>Tokens of all facts.</summary>
    public int TokenCount => Facts.Sum(f => f.TokenCount);

    /// <summary>
    /// Merges <paramref name="candidates"/>: an identical fact is kept as it was; a different fact in the same slot
    /// replaces it; then the oldest facts are evicted until both bounds hold.
    /// </summary>
    public UserMemory Remember(IEnumerable<MemoryCandidate> candidates, ITokenCounter counter)
    {
        var facts = Facts.ToList();
        var next = NextSequence;
        var changed = false;
        foreach (var candidate in candidates)
        {
            var text = counter.KeepStart(TextNormalizer.Normalize(candidate.Text).Replace('\n', ' '), MaxFactTokens);
            if (text.Length == 0) continue;
            var existing = facts.FindIndex(f => f.Slot == candidate.Slot);
            if (existing >= 0 && facts[existing].Text == text) continue;
            if (existing >= 0) facts.RemoveAt(existing);
            facts.Add(new MemoryFact("f" + next, candidate.Slot, text, next, counter.Count(text)));
            next++;
            changed = true;
        }
        if (!changed) return this;
        while (facts.Count > MaxFacts || facts.Sum(f => f.TokenCount) > MaxTokens) facts.RemoveAt(0);
        return new UserMemory(facts.ToArray(), next);
    }

    /// <summary>Removes the fact with <paramref name="factId"/>; returns this instance when there is none.</summary>
    public UserMemory Forget(string factId)
    {
        var index = Facts.ToList().FindIndex(f => f.Id == factId);
        return index < 0 ? this : this with { Facts = Facts.Where((_, i) => i != index).ToArray() };
    }

    /// <summary>The facts as prompt lines ("- Name: Alice"), in remembered order.</summary>
    public static string Render(IReadOnlyList<MemoryFact> facts) =>
        string.Join('\n', facts.OrderBy(f => f.Sequence).Select(f => "- " + f.Text));
}
