namespace Conversations.Moderation;

/// <summary>What happens to content after a check; ordered so that the stronger action compares greater.</summary>
public enum ModerationAction
{
    /// <summary>Pass the content through unchanged.</summary>
    Allow = 0,

    /// <summary>Pass the content with the risky spans masked.</summary>
    Mask = 1,

    /// <summary>Refuse (input) or withhold (output) the content.</summary>
    Block = 2,
}

/// <summary>Which side of a chat turn is checked; maps to Green's llm_query_moderation / llm_response_moderation.</summary>
public enum ModerationPhase
{
    /// <summary>The user's question, before retrieval and the model.</summary>
    Input = 0,

    /// <summary>The model's answer, before the user sees it.</summary>
    Output = 1,
}
