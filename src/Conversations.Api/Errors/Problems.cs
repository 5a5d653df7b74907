using Conversations.Contracts.Chat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Conversations.Api.Errors;

/// <summary>Problem-details answers with a friendly message and what to do next.</summary>
internal static class Problems
{
    /// <summary>400 for a request the API cannot use.</summary>
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: 400, title: "The request is not valid", type: "https://httpstatuses.io/400");

    /// <summary>400 naming the field (body member, query or header name) that is wrong, for a client to point at.</summary>
    public static ProblemHttpResult BadRequest(string detail, string field) =>
        TypedResults.Problem(detail, statusCode: 400, title: "The request is not valid", type: "https://httpstatuses.io/400",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    /// <summary>400 for a list's cursor that no page of that list gave.</summary>
    public static ProblemHttpResult InvalidCursor() => BadRequest("cursor is not valid; pass the nextCursor of the previous page.", "cursor");

    /// <summary>
    /// 400 for a time window that ends before it starts (<paramref name="equalIsEmpty"/>: one that ends as it starts too),
    /// naming its start; null when the window is fine or open on either side.
    /// </summary>
    public static ProblemHttpResult? Window(DateTimeOffset? start, DateTimeOffset? end, string startName = "since", string endName = "until",
        bool equalIsEmpty = false) =>
        start is { } s && end is { } e && (s > e || (equalIsEmpty && s == e))
            ? BadRequest($"{startName} must be before {endName}.", startName)
            : null;

    /// <summary>A default window's start: <paramref name="days"/> before its end, or the earliest time when that is earlier still.</summary>
    public static DateTimeOffset DaysBefore(DateTimeOffset end, int days) =>
        end - DateTimeOffset.MinValue > TimeSpan.FromDays(days) ? end.AddDays(-days) : DateTimeOffset.MinValue;

    /// <summary>401 when no valid key was presented.</summary>
    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        "Send a valid API key as 'Authorization: Bearer cvk_…'. Ask your administrator for a key if you have none.",
        statusCode: 401, title: "Missing or invalid API key", type: "https://httpstatuses.io/401");

    /// <summary>403 when the key's role may not use the route.</summary>
    public static ProblemHttpResult Forbidden(IEnumerable<string> roles) => TypedResults.Problem(
        $"This action needs a key with one of these roles: {string.Join(", ", roles)}.",
        statusCode: 403, title: "Not allowed for this key", type: "https://httpstatuses.io/403");

    /// <summary>404 for anything the caller cannot see (also other tenants' and users' data).</summary>
    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(
        $"{what} was not found. Check the id; you can only see your own data.",
        statusCode: 404, title: "Not found", type: "https://httpstatuses.io/404");

    /// <summary>
    /// 404 carrying a <c>code</c> a client can act on without reading the text, e.g. <c>not_found</c> for a message sent
    /// to a conversation that no longer exists (deleted in another window): the same code the turn's error event uses.
    /// </summary>
    public static ProblemHttpResult NotFound(string what, string code) => TypedResults.Problem(
        $"{what} was not found. Check the id; you can only see your own data.",
        statusCode: 404, title: "Not found", type: "https://httpstatuses.io/404", extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>
    /// 404 on an admin or operator route: the caller sees the whole tenant (or every tenant), so the user-facing hint
    /// about seeing only one's own data would be wrong there.
    /// </summary>
    public static ProblemHttpResult AdminNotFound(string what) => TypedResults.Problem(
        $"{what} was not found. Check the id.",
        statusCode: 404, title: "Not found", type: "https://httpstatuses.io/404");

    /// <summary>409 when the resource exists or is busy.</summary>
    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: 409, title: "Conflict", type: "https://httpstatuses.io/409");

    /// <summary>422 when a turn id (Idempotency-Key) comes again with a different message.</summary>
    public static ProblemHttpResult IdempotencyKeyReused() => TypedResults.Problem(TurnEventBatchExtensions.IdempotencyKeyReusedMessage,
        statusCode: 422, title: "Idempotency key reused", type: "https://httpstatuses.io/422",
        extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.IdempotencyKeyReused });

    /// <summary>409 when a regenerated or edited message names a turn other than the conversation's last answered one.</summary>
    public static ProblemHttpResult TurnNotLast(string turnId) => TypedResults.Problem(TurnEventBatchExtensions.TurnNotLastMessage(turnId),
        statusCode: 409, title: "Not the last turn", type: "https://httpstatuses.io/409",
        extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.TurnNotLast, ["turnId"] = turnId });

    /// <summary>
    /// 429 when the tenant's monthly model budget is closed: the code the chat's error event and the OpenAI route's
    /// insufficient_quota stand for, not worth retrying until an administrator raises the budget or the month ends.
    /// </summary>
    public static ProblemHttpResult BudgetExhausted(decimal spentUsd, decimal budgetUsd) => TypedResults.Problem(
        $"This workspace's monthly model budget is closed: {spentUsd:0.####} USD of {budgetUsd:0.####} USD is spent, so new work cannot be "
        + "answered until an administrator raises the budget or the month ends.",
        statusCode: 429, title: "Budget exhausted", type: "https://httpstatuses.io/429",
        extensions: new Dictionary<string, object?> { ["code"] = TurnErrorCodes.BudgetExhausted, ["retryable"] = false });

    /// <summary>415 when the body's Content-Type is missing or not one the route reads.</summary>
    public static ProblemHttpResult UnsupportedMediaType(string? sent, params string[] accepted) =>
        TypedResults.Problem(UnsupportedMediaTypeDetail(sent, accepted), statusCode: 415, title: UnsupportedMediaTypeTitle, type: "https://httpstatuses.io/415");

    /// <summary>The title of a 415 answer.</summary>
    public const string UnsupportedMediaTypeTitle = "Unsupported content type";

    /// <summary>What a 415 says: the content types the route reads, and what the request sent instead.</summary>
    public static string UnsupportedMediaTypeDetail(string? sent, params string[] accepted) =>
        $"Send the body with the header Content-Type: {string.Join(" or ", accepted)}; this request had "
        + (string.IsNullOrWhiteSpace(sent) ? "no Content-Type." : $"Content-Type: {sent}.");

    /// <summary>413 when a message or body is too large.</summary>
    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: 413, title: ContentTooLargeTitle, type: "https://httpstatuses.io/413");

    /// <summary>The title of every 413 answer, whichever route or check gives it: the status's reason phrase (RFC 9110).</summary>
    public const string ContentTooLargeTitle = "Content Too Large";
}
