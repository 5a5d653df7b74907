using Orleans.Runtime.Placement.Filtering;
using Conversations.Contracts.Tenancy;
using Conversations.Prompting.Memory;
using Conversations.Prompting.Tokens;

namespace Conversations.Grains.Users;

/// <summary>Persisted user memory; the facts are bounded by <see cref="UserMemory.MaxFacts"/> and <see cref="UserMemory.MaxTokens"/>.</summary>
[GenerateSerializer, Alias("user-state")]
internal sealed class UserState
{
    [Id(0)] public List<MemoryFactInfo> Facts { get; set; } = [];
    [Id(1)] public long NextSequence { get; set; } = 1;
    /// <summary>Moves on every deletion; see <see cref="IUserGrain.GetMemoryEpochAsync"/>.</summary>
    [Id(2)] public long ForgetEpoch { get; set; }
}

/// <summary>One user's long-term memory. Not reentrant: updates read-modify-write the fact list.</summary>
// Placed in the zone of the silo that first calls it (the API's gateway, or the conversation's silo), so one
// conversation's grains and its user's stay in one zone; anywhere else when that zone has no silo left.
#pragma warning disable ORLEANSEXP004 // silo-metadata placement filters are marked experimental in Orleans 10
[PreferredMatchSiloMetadataPlacementFilter(["zone"], minCandidates: 1)]
#pragma warning restore ORLEANSEXP004
internal sealed class UserGrain(
    [PersistentState("user", "store")] IPersistentState<UserState> state,
    ITokenCounter tokens) : Grain, IUserGrain
{
    /// <inheritdoc />
    public Task<IReadOnlyList<MemoryFactInfo>> GetMemoryAsync() => Task.FromResult<IReadOnlyList<MemoryFactInfo>>(state.State.Facts.ToArray());

    /// <inheritdoc />
    public Task<long> GetMemoryEpochAsync() => Task.FromResult(state.State.ForgetEpoch);

    /// <inheritdoc />
    public async Task RememberFromMessageAsync(string userMessage)
    {
        var candidates = UserMemoryExtractor.Extract(userMessage);
        if (candidates.Count == 0) return;
        var current = ToMemory();
        var next = current.Remember(candidates, tokens);
        if (ReferenceEquals(next, current)) return; // nothing new: no write
        await SaveAsync(next);
    }

    /// <inheritdoc />
    public async Task<bool> ForgetAsync(string factId)
    {
        var current = ToMemory();
        var next = current.Forget(factId);
        if (ReferenceEquals(next, current)) return false;
        state.State.ForgetEpoch++;
        await SaveAsync(next);
        return true;
    }

    /// <inheritdoc />
    public async Task ForgetAllAsync()
    {
        state.State.Facts.Clear();
        state.State.ForgetEpoch++;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task<int> ForgetLearnedFromAsync(IReadOnlyList<string> userMessages)
    {
        // The same extraction that learned them, with the text as Remember stores it (normalized, maybe shortened).
        var stated = userMessages.SelectMany(UserMemoryExtractor.Extract)
            .Select(c => (c.Slot, Text: Conversations.Text.TextNormalizer.Normalize(c.Text).Replace('\n', ' '))).ToList();
        if (stated.Count == 0) return 0;
        var keep = state.State.Facts.Where(f => !stated.Any(s => s.Slot == f.Slot && s.Text.StartsWith(f.Text, StringComparison.Ordinal))).ToList();
        var removed = state.State.Facts.Count - keep.Count;
        if (removed == 0) return 0;
        state.State.Facts = keep;
        state.State.ForgetEpoch++;
        await state.WriteStateAsync();
        return removed;
    }

    /// <inheritdoc />
    public async Task EraseAsync()
    {
        await state.ClearStateAsync();
        state.State = new UserState();
        // The user's deletion removes the cleared row; the next activation must not write with this one's version.
        this.DeactivateOnIdle();
    }

    private UserMemory ToMemory() => new(
        state.State.Facts.Select(f => new MemoryFact(f.Id, f.Slot, f.Text, f.Sequence, f.TokenCount)).ToArray(), state.State.NextSequence);

    private async Task SaveAsync(UserMemory memory)
    {
        state.State.Facts = memory.Facts.Select(f => new MemoryFactInfo(f.Id, f.Slot, f.Text, f.Sequence, f.TokenCount)).ToList();
        state.State.NextSequence = memory.NextSequence;
        await state.WriteStateAsync();
    }
}
