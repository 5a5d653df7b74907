namespace Conversations.Contracts.Tenancy;

/// <summary>A durable fact or preference the user stated, remembered across conversations.</summary>
[GenerateSerializer, Immutable, Alias("memory-fact")]
public sealed record MemoryFactInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Slot,
    [property: Id(2)] string Text,
    [property: Id(3)] long Sequence,
    [property: Id(4)] int TokenCount);

/// <summary>One user of a tenant, key <c>{tenant}/{user}</c>: their long-term memory (part of every prompt's stable prefix).</summary>
[Alias("user")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>The remembered facts, oldest first.</summary>
    [Alias("get-memory")]
    Task<IReadOnlyList<MemoryFactInfo>> GetMemoryAsync();

    /// <summary>Extracts durable facts from something the user said and remembers them (bounded; newest wins).</summary>
    [Alias("remember")]
    Task RememberFromMessageAsync(string userMessage);

    /// <summary>
    /// The memory epoch: it moves whenever facts are forgotten, so a conversation that read the memory earlier knows to
    /// read it again before its next prompt (a deletion holds from the next turn in every conversation).
    /// </summary>
    [Alias("get-memory-epoch")]
    Task<long> GetMemoryEpochAsync();

    /// <summary>Forgets one fact; false when there is no such fact.</summary>
    [Alias("forget")]
    Task<bool> ForgetAsync(string factId);

    /// <summary>Forgets everything.</summary>
    [Alias("forget-all")]
    Task ForgetAllAsync();

    /// <summary>
    /// Forgets the facts these user messages stated (their conversation is being deleted); returns how many. A fact the
    /// user stated elsewhere too goes as well: deleting errs on forgetting.
    /// </summary>
    [Alias("forget-learned-from")]
    Task<int> ForgetLearnedFromAsync(IReadOnlyList<string> userMessages);

    /// <summary>Clears the stored state and deactivates (the user is being deleted).</summary>
    [Alias("erase")]
    Task EraseAsync();
}
