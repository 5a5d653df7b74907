namespace Conversations.Prompting.Memory;

/// <summary>Slots of user memory. Single-valued slots keep only the newest fact; the rest are prefixes of per-value slots.</summary>
internal static class MemorySlots
{
    /// <summary>The user's name.</summary>
    public const string Name = "name";

    /// <summary>What the user asks to be called.</summary>
    public const string PreferredName = "preferred-name";

    /// <summary>The language answers should be in.</summary>
    public const string AnswerLanguage = "answer-language";

    /// <summary>Length or tone of answers (brief, detailed…).</summary>
    public const string AnswerStyle = "answer-style";

    /// <summary>The user's role or occupation.</summary>
    public const string Role = "role";

    /// <summary>Where the user lives.</summary>
    public const string Location = "location";

    /// <summary>Employer or field; suffixed by the preposition ("work:at", "work:in", "work:as").</summary>
    public const string WorkPrefix = "work:";

    /// <summary>Multi-valued: one slot per liked thing.</summary>
    public const string LikesPrefix = "likes:";

    /// <summary>Multi-valued: one slot per stated preference.</summary>
    public const string PreferencePrefix = "preference:";
}
