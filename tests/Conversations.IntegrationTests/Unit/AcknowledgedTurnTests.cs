using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Conversations.Api.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.IntegrationTests.Unit;

/// <summary>A new turn's response, which reads the next batch of events ahead while the first ones go out.</summary>
public sealed class AcknowledgedTurnTests
{
    [Fact(DisplayName = "A turn whose prefetched batch fails while its response is never written (the request was aborted) leaves no unobserved task exception")]
    public async Task Failed_prefetch_of_an_unwritten_response_is_observed()
    {
        var marker = "prefetch-failure-" + Guid.NewGuid().ToString("n");
        var unobserved = new ConcurrentBag<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs args)
        {
            if (args.Exception.ToString().Contains(marker, StringComparison.Ordinal)) unobserved.Add(args.Exception);
        }
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await StartWithoutWritingAsync(marker);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
        Assert.Empty(unobserved);
    }

    // The response is acknowledged ("received"), then dropped without being executed, as for a request aborted before
    // its body was written; nothing of it is reachable once this returns.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task StartWithoutWritingAsync(string marker)
    {
        var result = await AcknowledgedTurn.StreamAsync(new DefaultHttpContext(), Events(marker));
        Assert.IsNotType<ProblemHttpResult>(result);
    }

    // "received", then a batch read that fails at once (a silo gone, say).
    private static async IAsyncEnumerable<TurnEvent> Events(string marker)
    {
        await Task.CompletedTask;
        yield return new TurnEvent("1", new ProgressEvent(AcknowledgedTurn.ReceivedStage, "Received."));
        throw new InvalidOperationException(marker);
    }
}
