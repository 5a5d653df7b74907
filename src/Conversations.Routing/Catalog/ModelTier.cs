namespace Conversations.Routing.Catalog;

/// <summary>How capable (and how expensive) a model is, as the router sees it.</summary>
public enum ModelTier
{
    /// <summary>Fast and cheap; the default for simple questions.</summary>
    Small = 0,

    /// <summary>Strong general model for reasoning, synthesis and long answers.</summary>
    Large = 1,

    /// <summary>Fine-tuned for one field (math, code, law); chosen by a domain rule.</summary>
    Domain = 2,
}
