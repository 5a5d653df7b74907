using System.ClientModel;
using Conversations.Routing.Endpoints;
using Conversations.Routing.Health;
using Microsoft.SemanticKernel;

namespace Conversations.Grains.Health;

/// <summary>Names a failed model call by what went wrong, so health reports can tell the endpoint's failures from the caller's.</summary>
internal static class ModelFailureCodes
{
    /// <summary>The kind of failure <paramref name="exception"/> (thrown by a model client) stands for.</summary>
    public static FailureKind KindOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case EndpointRefusedException:
                    return FailureKind.Refused;
                case ClientResultException c when c.Status > 0:
                    return FailureClassifier.FromHttpStatus(c.Status, Body(c) ?? c.Message);
                case HttpOperationException h when h.StatusCode is { } status:
                    return FailureClassifier.FromHttpStatus((int)status, h.ResponseContent);
                case HttpRequestException h when h.StatusCode is { } status:
                    return FailureClassifier.FromHttpStatus((int)status, null);
            }
        }
        // No answer at all: refused connections, resets, broken streams.
        return Chain(exception).Any(e => e is HttpRequestException or IOException or System.Net.Sockets.SocketException)
            ? FailureKind.Connection
            : FailureKind.ServerError;
    }

    private static string? Body(ClientResultException c)
    {
        try
        {
            return c.GetRawResponse()?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            return null; // a streamed body that was never buffered
        }
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) yield return e;
    }
}
