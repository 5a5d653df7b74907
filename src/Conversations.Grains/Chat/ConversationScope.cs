using Conversations.Contracts;
using Conversations.Contracts.Tenancy;

namespace Conversations.Grains.Chat;

/// <summary>What a turn may use of its conversation: identity, the persisted state (its summary), the log window and the prompt's inputs.</summary>
internal sealed record ConversationScope(
    string TenantId, string ConversationId, IPersistentState<ConversationState> State, ConversationLog Log, ConversationPrompt Prompt, IGrainFactory Grains)
{
    /// <summary>The tenant's grain (settings).</summary>
    public ITenantGrain Tenant => Grains.GetGrain<ITenantGrain>(TenantId);

    /// <summary>A user's grain in this tenant (memory).</summary>
    public IUserGrain User(string userId) => Grains.GetGrain<IUserGrain>(GrainKeys.Scoped(TenantId, userId));
}
