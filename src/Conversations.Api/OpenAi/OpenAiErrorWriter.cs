using System.Diagnostics;
using System.Text.Json;
using Conversations.Contracts.Moderation;
using Microsoft.AspNetCore.Mvc;

namespace Conversations.Api.OpenAi;

/// <summary>
/// Writes every problem of the OpenAI-compatible routes (bad key, body checks, rate limits, unknown routes, exceptions)
/// in OpenAI's error shape, <c>{"error":{"message","type","param","code"}}</c>, with the status unchanged. Registered
/// ahead of the other problem writers, so the checks shared with the native routes need no second copy here.
/// </summary>
internal sealed class OpenAiErrorWriter : IProblemDetailsWriter
{
    // OpenAI's own paths the platform does not serve: an SDK that calls one (the Responses API is the newer SDKs'
    // default) gets its 404 in the shape it parses. (/v1/images and /v1/batches are the platform's own routes.)
    private static readonly string[] UnservedOpenAiPaths =
        ["/v1/responses", "/v1/completions", "/v1/embeddings", "/v1/moderations", "/v1/audio", "/v1/files", "/v1/assistants", "/v1/threads",
         "/v1/vector_stores", "/v1/fine_tuning", "/v1/realtime", "/v1/uploads"];

    /// <summary>True for the paths the OpenAI-compatible routes live under, and OpenAI's paths the platform does not serve.</summary>
    public static bool IsOpenAiPath(PathString path) =>
        path.StartsWithSegments("/v1/chat/completions", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1/models", StringComparison.OrdinalIgnoreCase)
        || UnservedOpenAiPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public bool CanWrite(ProblemDetailsContext context) => IsOpenAiPath(context.HttpContext.Request.Path);

    /// <inheritdoc />
    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        // The shared defaults: this writer runs ahead of the one that applies them.
        problem.Detail ??= Errors.StatusDetails.For(http, status);
        // The official SDKs retry 408, 409, 429 and 5xx twice unless told not to, and they send no Idempotency-Key:
        // each retry would be a new, billed turn. Only an error with Retry-After (busy, rate-limited) is worth one.
        if (status is 408 or 409 or 429 or >= 500)
            http.Response.Headers["x-should-retry"] = http.Response.Headers.RetryAfter.Count > 0 ? "true" : "false";
        // The SDKs expose it as the error's request id: the trace id the server log knows the request by.
        http.Response.Headers["x-request-id"] = RequestId(http);
        var body = Body(status, problem);
        return new ValueTask(http.Response.WriteAsJsonAsync(body, OpenAiJson.Options, "application/json", http.RequestAborted));
    }

    /// <summary>The request's id as the SDKs read it (x-request-id): the trace id the server log knows the request by.</summary>
    public static string RequestId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    /// <summary>The OpenAI error object for a problem.</summary>
    public static OpenAiErrorBody Body(int status, ProblemDetails problem)
    {
        var code = Extension(problem, "code");
        var param = Extension(problem, "param") ?? Extension(problem, "field");
        var limit = Extension(problem, "limit");
        var (type, defaultCode) = status switch
        {
            401 => ("invalid_request_error", "invalid_api_key"),
            403 => ("invalid_request_error", "permission_denied"),
            404 => ("invalid_request_error", null),
            413 => ("invalid_request_error", "request_too_large"),
            429 when code == "insufficient_quota" => ("insufficient_quota", null),
            429 => (limit == RateLimitDecision.TokensLimit ? "tokens" : "requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", null),
            _ => ("invalid_request_error", null),
        };
        if (status == 429 && code == "rate_limited") code = "rate_limit_exceeded";
        var message = problem.Detail ?? problem.Title ?? "The request failed.";
        return new OpenAiErrorBody(new OpenAiError(message, type, param, code ?? defaultCode));
    }

    private static string? Extension(ProblemDetails problem, string name) =>
        problem.Extensions.TryGetValue(name, out var value) ? value switch
        {
            null => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            _ => value.ToString(),
        } : null;
}

/// <summary>OpenAI's error envelope.</summary>
internal sealed record OpenAiErrorBody(OpenAiError Error);

/// <summary>OpenAI's error: a message for people, a type, the offending parameter and a stable code.</summary>
internal sealed record OpenAiError(string Message, string Type, string? Param, string? Code);
