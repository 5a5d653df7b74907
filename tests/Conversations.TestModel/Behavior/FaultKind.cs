namespace Conversations.TestModel.Behavior;

/// <summary>The kinds of fault the test server can inject.</summary>
public enum FaultKind
{
    /// <summary>Answer with an HTTP error status in OpenAI's error shape.</summary>
    Status,

    /// <summary>Accept the request, send no headers until the client gives up or the hold ends, then close.</summary>
    Timeout,

    /// <summary>Stream some tokens, then keep the connection open without sending until the hold ends, then close.</summary>
    StallMidStream,

    /// <summary>Stream some tokens, then drop the connection.</summary>
    AbortMidStream,

    /// <summary>Answer normally after an extra first-token delay.</summary>
    SlowFirstToken,
}
