using Conversations.Contracts.Chat;
using Conversations.Contracts.Encryption;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turns;

/// <summary>
/// What a client sent under a turn id it chose, kept keyed (<see cref="ConversationStore.RequestFingerprintAsync"/>), so
/// a retry of that request is told from another message sent under the same id.
/// </summary>
internal static class TurnRequests
{
    /// <summary>The request's fingerprint, or null when the tenant's data key is destroyed (the turn then ends saying so).</summary>
    public static async Task<string?> FingerprintAsync(ConversationStore store, string tenantId, string conversationId, SendMessage message)
    {
        // A regenerate names the turn it replaces: the same text under the same id without it (or naming another) is
        // another request, not a retry that silently replaces nothing.
        var references = message.Replaces is null ? message.ImageRefs : $"{message.ImageRefs}\nreplaces:{message.Replaces}";
        try { return await store.RequestFingerprintAsync(tenantId, conversationId, message.Text, references); }
        catch (TenantDataUnreadableException) { return null; }
    }

    /// <summary>
    /// The same request under a known turn id joins or replays that turn (<paramref name="same"/>); another request under
    /// it is refused. A turn stored without a fingerprint (before fingerprints were kept) is taken as the same.
    /// </summary>
    public static TurnStartStatus Retried(string? kept, string? sent, TurnStartStatus same) =>
        kept is null || sent is null || kept == sent ? same : TurnStartStatus.Mismatch;

    /// <summary>
    /// The answer to a send under the id of a turn that already ran (<paramref name="finished"/> in memory, else
    /// <paramref name="stored"/>), or null when no turn of that id ran.
    /// </summary>
    public static TurnStartStatus? RetriedFinished(TurnRun? finished, StoredTurn? stored, string? sent) =>
        finished is not null ? Retried(finished.RequestFingerprint, sent, TurnStartStatus.Finished)
        : stored is not null ? Retried(stored.Question.RequestFingerprint, sent, TurnStartStatus.Finished)
        : null;
}
