namespace Conversations.Contracts.Knowledge;

/// <summary>
/// The tenant already has as many distinct access labels as the knowledge base can number (a label's id is a 16-bit
/// number, kept on every chunk for the ACL filter): a new one cannot be made; existing labels still work.
/// </summary>
[GenerateSerializer, Alias("LabelLimitReachedException")]
public sealed class LabelLimitReachedException : Exception
{
    /// <summary>Most distinct labels a tenant may have.</summary>
    public const int MaxLabels = short.MaxValue;

    /// <summary>Creates the exception for the label that could not be made.</summary>
    public LabelLimitReachedException(string label)
        : base($"The knowledge base already has {MaxLabels:N0} access labels, the most it can hold, so label '{label}' cannot be added. "
            + "Reuse an existing label for this document or grant.") =>
        Label = label;

    /// <summary>The label that could not be made.</summary>
    [Id(0)] public string Label { get; private set; }
}
