using Conversations.Prompting.Layout;


namespace Conversations.Grains.Chat;

/// <summary>Configuration section <c>Chat</c>: platform-wide turn settings.</summary>
internal sealed class ChatOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Chat";

    /// <summary>Platform system prompt, the first and most stable part of every prompt (the tenant's name and instructions follow).</summary>
    public string SystemPrompt { get; set; } = PlatformPrompt.Default;

    /// <summary>How many stored messages a grain keeps in memory for the recent window.</summary>
    public int RecentWindowMessages { get; set; } = 200;

    /// <summary>How many knowledge-base chunks a turn retrieves (before the budget may drop some).</summary>
    public int RetrievalTopK { get; set; } = 5;

    /// <summary>How long a turn runs on with nobody watching it before it is stopped (its answer kept as interrupted).</summary>
    public int UnwatchedTurnSeconds { get; set; } = 300;

    /// <summary>
    /// Hosts of model endpoints the operator trusts with personal data (self-hosted, contracted): under a tenant's
    /// "default" personal-data policy, models elsewhere get the question with personal data and secrets masked.
    /// </summary>
    public string[] PersonalDataAllowedHosts { get; set; } = [];
}
