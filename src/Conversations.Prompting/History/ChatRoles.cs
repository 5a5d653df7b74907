namespace Conversations.Prompting.History;

/// <summary>The chat roles as the OpenAI-compatible wire format spells them.</summary>
public static class ChatRoles
{
    /// <summary>Instructions and context from the platform.</summary>
    public const string System = "system";

    /// <summary>What the end user wrote.</summary>
    public const string User = "user";

    /// <summary>What the model answered.</summary>
    public const string Assistant = "assistant";
}
