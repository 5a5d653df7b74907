using Conversations.Api.Streaming;
using Conversations.Contracts.Chat;

namespace Conversations.Api.OpenAi;

/// <summary>A whole turn as one <c>chat.completion</c>: its text, finish reason, usage and sources.</summary>
internal static class CompletionResult
{
    /// <summary>
    /// Reads the turn to its end; a problem (in OpenAI's shape) when it failed, else the completion. A turn cut off
    /// because its tenant, data or conversation is gone (<paramref name="conversationGone"/>) fails for good, as its stream would.
    /// </summary>
    public static async Task<IResult> ReadAsync(HttpContext http, CompletionEvents turn, CompletionHeader header, Func<Task<ErrorEvent?>>? conversationGone)
    {
        await using var _ = turn;
        var text = new System.Text.StringBuilder();
        try
        {
            await foreach (var e in turn.RestAsync())
            {
                switch (e)
                {
                    case DeltaEvent d:
                        text.Append(d.Text);
                        break;
                    case DoneEvent done:
                        return Completion(header, new CompletionMessage(text.ToString(), null), TurnErrors.FinishReasonOf(done), done.Usage, turn.TakeCitations());
                    case ErrorEvent { Code: TurnErrorCodes.InputRefused } refusal:
                        return Completion(header, new CompletionMessage(null, refusal.Message), "content_filter", TurnUsage.None, turn.TakeCitations());
                    case ErrorEvent error:
                        // Written for a stream, where the partial answer is above it; here the client gets none of it.
                        var final = await TurnGone.FinalAsync(error, conversationGone);
                        return TurnErrors.Problem(http, final.ForClientWithoutPartialAnswer());
                }
            }
        }
        catch (Exception) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The stream broke on our side (a silo died): a retryable error, not a 500 with a stack trace.
        }
        return TurnErrors.Problem(http, await TurnGone.EndingAsync(conversationGone, CompletionStreamResult.StreamFailed));
    }

    /// <summary>The turn's usage in OpenAI's shape.</summary>
    public static CompletionUsage Usage(TurnUsage usage) => new(usage.PromptTokens, usage.CompletionTokens,
        usage.PromptTokens + usage.CompletionTokens, new PromptTokensDetails(usage.CachedPromptTokens));

    private static IResult Completion(CompletionHeader header, CompletionMessage message, string finishReason, TurnUsage usage,
        IReadOnlyList<CompletionCitation>? citations) =>
        TypedResults.Json(new ChatCompletion(header.Id, header.Created, header.Model, [new CompletionChoice(0, message, finishReason)], Usage(usage))
        {
            Citations = citations,
        }, OpenAiJson.Options);
}
