namespace Conversations.Grains.Chat;

/// <summary>The small, persisted part of a conversation; the log itself lives in the messages table.</summary>
[GenerateSerializer, Alias("conversation-state")]
internal sealed class ConversationState
{
    /// <summary>True once created (and false again after delete).</summary>
    [Id(0)] public bool Exists { get; set; }
    /// <summary>The user who owns the conversation; only they may read or write it.</summary>
    [Id(1)] public string OwnerUserId { get; set; } = "";
    /// <summary>Shown title.</summary>
    [Id(2)] public string Title { get; set; } = "";
    /// <summary>When it was created.</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Running summary of the turns folded out of the recent window.</summary>
    [Id(4)] public string Summary { get; set; } = "";
    /// <summary>Highest message seq the summary covers; the recent window starts after it.</summary>
    [Id(5)] public long SummarizedThroughSeq { get; set; }
}
