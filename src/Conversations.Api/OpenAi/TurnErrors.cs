using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.OpenAi;

/// <summary>A turn's <c>error</c> event as OpenAI's client would expect it: status code, error code and, where it helps, Retry-After.</summary>
internal static class TurnErrors
{
    /// <summary>The status a turn error gets when it ends the turn before any text.</summary>
    public static int StatusOf(ErrorEvent error) => error.Code switch
    {
        TurnErrorCodes.NotFound => 404,
        // Stopped (by a cancel of its turn id) before the question was stored: the caller's own doing, nothing failed.
        TurnErrorCodes.TurnInProgress or TurnErrorCodes.Stopped => 409,
        // The Idempotency-Key came again with a different message (the IETF draft's 422).
        TurnErrorCodes.IdempotencyKeyReused => 422,
        // OpenAI answers a spent quota with 429 insufficient_quota; a budget held by answers in flight clears in a minute.
        TurnErrorCodes.BudgetExhausted or TurnErrorCodes.BudgetTooSmall or TurnErrorCodes.BudgetBusy => 429,
        // Refusals of what the request asks for (an image no model reads, a blocklisted image) are the client's to change.
        TurnErrorCodes.NoVisionModel or TurnErrorCodes.ImageRefused or TurnErrorCodes.Refused => 400,
        // As on the native route: the tenant's data key was destroyed (or the tenant deleted), nothing can be stored again.
        TurnErrorCodes.DataDestroyed or TurnErrorCodes.TenantDeleted => 410,
        _ when error.Retryable => 503,
        _ => 500,
    };

    /// <summary>
    /// The turn's finish reason in OpenAI's words (stop, length, content_filter): a turn stopped by a cancel ended where
    /// it was asked to, which OpenAI's typed clients can only read as "stop".
    /// </summary>
    public static string FinishReasonOf(DoneEvent done) => done.FinishReason == "stopped" ? "stop" : done.FinishReason;

    /// <summary>OpenAI's code for a turn error.</summary>
    public static string CodeOf(ErrorEvent error) => error.Code switch
    {
        TurnErrorCodes.NotFound => "conversation_not_found",
        TurnErrorCodes.BudgetExhausted or TurnErrorCodes.BudgetTooSmall => "insufficient_quota",
        _ => error.Code,
    };

    /// <summary>What a retry under an Idempotency-Key whose turn already failed is told besides the failure.</summary>
    public const string ReplayedFailure = " This Idempotency-Key's turn already ended so, and a retry under the same key replays it: send the question again with a new key for a new answer.";

    /// <summary>
    /// The error as a problem (written in OpenAI's shape); sets Retry-After on retryable ones, unless the error is the
    /// stored end of a turn replayed under its Idempotency-Key (<paramref name="replayed"/>): resending that key gets
    /// the same error, so the SDKs are told not to (no Retry-After, so x-should-retry: false) and the client how to.
    /// </summary>
    public static ProblemHttpResult Problem(HttpContext http, ErrorEvent error, bool replayed = false)
    {
        var status = StatusOf(error);
        var retryUnderKey = error.Retryable && !(replayed && status == 503);
        if (retryUnderKey && status is 409 or 429 or 503) http.Response.Headers.RetryAfter = status == 429 ? "30" : "1";
        return TypedResults.Problem(retryUnderKey ? error.Message : error.Message + (error.Retryable ? ReplayedFailure : ""), statusCode: status, title: error.Code,
            extensions: new Dictionary<string, object?> { ["code"] = CodeOf(error) });
    }

    /// <summary>
    /// The error object written into a stream that already started (OpenAI's clients raise it), typed as the same error
    /// before the stream started would be: a spent budget is insufficient_quota either way.
    /// </summary>
    public static OpenAiErrorBody InStream(ErrorEvent error)
    {
        var code = CodeOf(error);
        var type = StatusOf(error) switch
        {
            >= 500 => "server_error",
            429 when code == "insufficient_quota" => "insufficient_quota",
            429 => "requests",
            _ => "invalid_request_error",
        };
        return new(new OpenAiError(error.Message, type, null, code));
    }
}
