using Conversations.Contracts.Tenancy;

namespace Conversations.Grains.Tenancy;

/// <summary>One tenant's settings. Not reentrant: updates are rare and must not interleave.</summary>
internal sealed class TenantGrain(
    [PersistentState("tenant", "store")] IPersistentState<TenantSettings> state) : Grain, ITenantGrain
{
    /// <inheritdoc />
    public Task<TenantSettings> GetSettingsAsync() => Task.FromResult(state.State);

    /// <inheritdoc />
    public async Task<TenantSettings> UpdateSettingsAsync(TenantSettingsPatch patch)
    {
        var next = TenantSettingsValidator.Apply(state.State, patch);
        var previous = state.State;
        state.State = next with { Version = previous.Version + 1 };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous; // a failed write (or its audit entry's) leaves the grain as it was
            throw;
        }
        return state.State;
    }
}
