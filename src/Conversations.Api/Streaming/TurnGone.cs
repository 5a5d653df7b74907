using Conversations.Contracts.Chat;
using Conversations.Contracts.Encryption;
using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Streaming;

/// <summary>
/// Why a turn whose stream broke off (or ended as retryable) can never be resumed or sent again: its tenant was deleted
/// (<c>tenant_deleted</c>), the tenant's data destroyed (<c>data_destroyed</c>) or its conversation deleted
/// (<c>not_found</c>). Every route that streams a turn (the chat's SSE, the OpenAI-compatible completion) asks the same
/// question and ends with the same final, non-retryable error instead of an invitation to resume.
/// </summary>
internal static class TurnGone
{
    /// <summary>
    /// The question for one turn: the ending that says why it is gone, or null when it may be resumed. The tenant is
    /// looked up first: asking the grain would activate it again for a tenant that is gone.
    /// </summary>
    public static Func<Task<ErrorEvent?>> Of(IConversationGrain grain, Caller caller, ITenantDirectory tenants) => async () =>
    {
        if (!await tenants.TenantExistsAsync(caller.TenantId, CancellationToken.None)) return TurnEventStream.TenantDeleted;
        try
        {
            return await grain.IsOwnedByAsync(caller) ? null : TurnEventStream.ConversationDeleted;
        }
        catch (TenantDataUnreadableException)
        {
            return TurnEventStream.DataDestroyed;
        }
    };

    /// <summary>Why the turn can never be resumed or sent again, or null when it may be (or that cannot be told).</summary>
    public static async Task<ErrorEvent?> AskAsync(Func<Task<ErrorEvent?>>? conversationGone)
    {
        if (conversationGone is null) return null;
        try
        {
            // Bounded: with the cluster unreachable the answer would come too late to matter.
            return await conversationGone().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Whether it is gone cannot be told: resuming is the client's best move.
            return null;
        }
    }

    /// <summary>The ending of a turn that broke off: why it is gone for good, else <paramref name="resumable"/>.</summary>
    public static async Task<ErrorEvent> EndingAsync(Func<Task<ErrorEvent?>>? conversationGone, ErrorEvent resumable) =>
        await AskAsync(conversationGone) ?? resumable;

    /// <summary>A retryable error that may hide a turn gone for good (an interrupted turn whose tenant was deleted): the final ending then.</summary>
    public static async Task<ErrorEvent> FinalAsync(ErrorEvent error, Func<Task<ErrorEvent?>>? conversationGone) =>
        error.Retryable ? await EndingAsync(conversationGone, error) : error;
}
