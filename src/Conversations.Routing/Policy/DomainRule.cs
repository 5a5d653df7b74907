namespace Conversations.Routing.Policy;

/// <summary>Questions about <see cref="Domain"/> (for example "math") go to <see cref="ModelId"/>.</summary>
public sealed record DomainRule(string Domain, string ModelId);
