using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Conversations.Api.Errors;

/// <summary>Turns exceptions into problem details: bad input is the caller's 4xx, never a 500.</summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: 413 } =>
                (413, "Too large", "The request body is larger than this server accepts. Send less text at a time."),
            BadHttpRequestException b =>
                (b.StatusCode, "The request is not valid", FriendlyBadRequest(b)),
            ArgumentException a => (400, "The request is not valid", a.Message),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled."),
            _ => (500, "Something went wrong on our side", "The request failed unexpectedly. Please try again; if it keeps failing, contact your administrator."),
        };
        if (status >= 500) LogUnhandled(logger, exception);
        if (http.Response.HasStarted) return true;
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" },
            Exception = exception,
        });
    }

    private static string FriendlyBadRequest(BadHttpRequestException b) =>
        b.InnerException is System.Text.Json.JsonException j
            ? $"The body is not valid JSON ({j.Message.Split(" Path:")[0].Split(". LineNumber")[0]}). Send a JSON object such as {{\"text\": \"Hello\"}}."
            : b.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
                ? "The request body is missing or not JSON. Send Content-Type: application/json with a JSON object."
                : b.Message;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
