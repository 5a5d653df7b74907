namespace Conversations.Routing.Endpoints;

/// <summary>The endpoint policy refused to connect to an endpoint's address; the message names the rule.</summary>
public sealed class EndpointRefusedException(string message) : Exception(message);
