using System.Diagnostics;
using System.IO.Pipelines;

namespace Conversations.TestModel.Protocol;

/// <summary>Answers one recorded chat request: applies the model's fault, counts tokens, paces and writes the answer.</summary>
internal sealed class CompletionRun(
    HttpContext context,
    ServerRuntime runtime,
    RecordedRequest record,
    ChatCompletionRequestBody body,
    ModelCounters modelCounters,
    ModelCounters total)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>
    /// Time given to flushed output to reach the client before a mid-stream abort. A reset discards what the client has
    /// not read yet, so on a loaded machine 30 ms sometimes lost even the headers; the client must see some tokens first.
    /// </summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromMilliseconds(250);

    private readonly long startedAt = Stopwatch.GetTimestamp();
    private CancellationTokenSource? waits;

    /// <summary>Ends waits when the client leaves or the server stops; made only for requests that wait.</summary>
    private CancellationToken WaitToken =>
        (waits ??= CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, runtime.Stopping)).Token;

    public async Task ExecuteAsync()
    {
        try
        {
            await AnswerAsync();
        }
        finally
        {
            waits?.Dispose();
        }
    }

    private async Task AnswerAsync()
    {
        var slot = runtime.Control.Resolve(record.Model);
        var fault = slot.TakeFault();
        if (fault is not null)
        {
            record.Fault = fault.Kind;
            modelCounters.Faulted();
            total.Faulted();
        }

        switch (fault?.Kind)
        {
            case FaultKind.Status:
                record.StatusCode = fault.StatusCode;
                CountError();
                await OpenAIErrors.WriteAsync(context, fault.StatusCode, OpenAIErrors.InjectedMessage(fault.StatusCode), fault.RetryAfter);
                return;
            case FaultKind.Timeout:
                await HoldThenCloseAsync(fault.Hold);
                return;
        }

        var usage = CountPrompt();
        var pieces = AnswerComposer.Compose(slot.Behavior, new AnswerContext(record.Model, record.Messages));
        var finishReason = "stop";
        var limit = body.MaxCompletionTokens ?? body.MaxTokens;
        if (limit is > 0 && pieces.Count > limit.Value && !slot.Behavior.IgnoresOutputCap)
        {
            pieces.RemoveRange(limit.Value, pieces.Count - limit.Value);
            finishReason = "length";
        }

        var firstToken = slot.Behavior.TimeToFirstToken;
        if (fault?.Kind == FaultKind.SlowFirstToken)
        {
            firstToken += fault.Hold;
        }

        var plan = new Pacing(startedAt, firstToken, slot.Behavior.TimePerToken);
        if (record.Stream)
        {
            await StreamAsync(pieces, finishReason, usage, plan, fault);
        }
        else
        {
            await RespondAsync(pieces, finishReason, usage, plan, fault);
        }
    }

    /// <summary>Prompt and cached tokens; remembers this prompt's prefix for later requests.</summary>
    private Usage CountPrompt()
    {
        var tokens = PromptTokens.Encode(runtime.Encoder, record.Messages, out var length);
        try
        {
            var cached = runtime.CacheFor(record.Model).LookupAndRemember(tokens.AsSpan(0, length));
            var prompt = length + PromptTokens.ReplyPriming;
            record.PromptTokens = prompt;
            record.CachedTokens = cached;
            return new Usage(prompt, cached, 0);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(tokens);
        }
    }

    private async Task RespondAsync(List<string> pieces, string finishReason, Usage usage, Pacing plan, FaultRule? fault)
    {
        var sent = fault?.Kind is FaultKind.StallMidStream or FaultKind.AbortMidStream
            ? Math.Min(fault.AfterTokens, pieces.Count)
            : pieces.Count;
        await WaitUntilAsync(plan.DueAt(Math.Max(0, sent - 1)));
        if (fault?.Kind == FaultKind.StallMidStream)
        {
            await HoldThenCloseAsync(fault.Hold);
            return;
        }

        if (fault?.Kind == FaultKind.AbortMidStream)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var final = usage with { CompletionTokens = pieces.Count };
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            CompletionJson.WriteCompletion(writer, Header(), string.Concat(pieces), finishReason, final);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
        Finish(final);
    }

    private async Task StreamAsync(List<string> pieces, string finishReason, Usage usage, Pacing plan, FaultRule? fault)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        if (plan.FirstToken > TimeSpan.Zero)
        {
            // Real providers send headers at once and the first token later; clients tell a timeout from a slow start this way.
            await response.StartAsync(WaitToken);
        }

        var output = response.BodyWriter;
        var header = Header();
        var breaking = fault?.Kind is FaultKind.StallMidStream or FaultKind.AbortMidStream;
        var until = breaking ? Math.Min(fault!.AfterTokens, pieces.Count) : pieces.Count;
        using var writer = new Utf8JsonWriter(output);
        var sent = 0;
        var left = true;
        try
        {
            for (; sent < until; sent++)
            {
                if (!await PaceAsync(output, plan.DueAt(sent)))
                {
                    return;
                }

                output.Write(DataPrefix);
                writer.Reset(output);
                CompletionJson.WriteContentChunk(writer, header, pieces[sent], first: sent == 0);
                output.Write(EventEnd);
            }

            left = false;
        }
        finally
        {
            if (left)
            {
                // The client left mid-answer: what was generated before it left is what a provider bills it for.
                record.CompletionTokens = sent;
                CountSent(sent);
            }
        }

        record.CompletionTokens = sent;
        if (breaking)
        {
            await output.FlushAsync(context.RequestAborted);
            CountSent(sent);
            if (fault!.Kind == FaultKind.StallMidStream)
            {
                await HoldThenCloseAsync(fault.Hold);
            }
            else
            {
                await DropAfterSendingAsync();
            }

            return;
        }

        writer.Reset(output);
        output.Write(DataPrefix);
        CompletionJson.WriteFinishChunk(writer, header, finishReason);
        output.Write(EventEnd);
        var final = usage with { CompletionTokens = sent };
        if (record.IncludeUsage)
        {
            output.Write(DataPrefix);
            writer.Reset(output);
            CompletionJson.WriteUsageChunk(writer, header, final);
            output.Write(EventEnd);
        }

        output.Write(DoneEvent);
        await output.FlushAsync(context.RequestAborted);
        Finish(final);
    }

    /// <summary>Waits until a token is due, flushing first so the client sees what was written; false when the client left.</summary>
    private async ValueTask<bool> PaceAsync(PipeWriter output, long dueAt)
    {
        if (dueAt - Stopwatch.GetTimestamp() < Stopwatch.Frequency / 1000)
        {
            // Less than a millisecond to wait: timers cannot do better, so the deadline catches up on later tokens.
            return true;
        }

        var flushed = await output.FlushAsync(context.RequestAborted);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            return false;
        }

        await WaitUntilAsync(dueAt);
        return true;
    }

    private Task WaitUntilAsync(long dueAt)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueAt);
        return wait >= TimeSpan.FromMilliseconds(1) ? Task.Delay(wait, WaitToken) : Task.CompletedTask;
    }

    /// <summary>Drops the connection once the flushed tokens had time to leave, since an abort discards unsent output.</summary>
    private async Task DropAfterSendingAsync()
    {
        try
        {
            await Task.Delay(AbortGrace, WaitToken);
        }
        catch (OperationCanceledException)
        {
            // The client left first; dropping is still right.
        }

        context.Abort();
    }

    /// <summary>Keeps the connection open without sending, until the hold ends, the client leaves or the server stops; then drops it.</summary>
    private async Task HoldThenCloseAsync(TimeSpan hold)
    {
        try
        {
            await Task.Delay(hold, WaitToken);
        }
        catch (OperationCanceledException)
        {
            // Ending early is the point: the client gave up or the server is stopping.
        }

        context.Abort();
    }

    private CompletionHeader Header() =>
        new("chatcmpl-" + record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), record.ReceivedAt.ToUnixTimeSeconds(), record.Model);

    private void Finish(Usage final)
    {
        record.StatusCode = 200;
        record.CompletionTokens = final.CompletionTokens;
        modelCounters.Finished(final.PromptTokens, final.CachedTokens, final.CompletionTokens);
        total.Finished(final.PromptTokens, final.CachedTokens, final.CompletionTokens);
    }

    private void CountSent(int tokens)
    {
        record.StatusCode = 200;
        modelCounters.TokensSent(tokens);
        total.TokensSent(tokens);
    }

    private void CountError()
    {
        modelCounters.Errored();
        total.Errored();
    }

    /// <summary>When each token is due, measured from the request's arrival.</summary>
    private readonly record struct Pacing(long Start, TimeSpan FirstToken, TimeSpan PerToken)
    {
        /// <summary>The Stopwatch timestamp at which token number <paramref name="token"/> (from 0) is due.</summary>
        public long DueAt(int token) =>
            Start + (long)((FirstToken.TotalSeconds + (PerToken.TotalSeconds * token)) * Stopwatch.Frequency);
    }
}
