namespace Conversations.Contracts.Knowledge;

/// <summary>
/// An upload would take the tenant's knowledge base past the platform's per-tenant chunk limit: nothing of it is
/// stored. The database is shared, so one tenant cannot fill it for everyone.
/// </summary>
[GenerateSerializer, Alias("KnowledgeQuotaExceededException")]
public sealed class KnowledgeQuotaExceededException : Exception
{
    /// <summary>Creates the exception: the tenant holds <paramref name="held"/> chunks of <paramref name="limit"/>, and the upload adds <paramref name="added"/> (net of the chunks it replaces).</summary>
    public KnowledgeQuotaExceededException(long held, long limit, long added)
        : base($"The knowledge base holds {held:N0} of its {limit:N0} chunks, and this upload would add {added:N0} more; nothing was stored. "
            + "Delete documents you no longer need, upload less, or ask the platform operator to raise Knowledge__MaxChunksPerTenant.")
    {
        Held = held;
        Limit = limit;
        Added = added;
    }

    /// <summary>Chunks the tenant holds.</summary>
    [Id(0)] public long Held { get; private set; }
    /// <summary>The per-tenant limit.</summary>
    [Id(1)] public long Limit { get; private set; }
    /// <summary>Chunks the upload would add, net of those it replaces.</summary>
    [Id(2)] public long Added { get; private set; }
}
