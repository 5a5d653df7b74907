namespace Conversations.TestModel.Protocol;

/// <summary>Writes errors in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAIErrors
{
    /// <summary>Writes an error response; 429 and 503 carry Retry-After (seconds) and retry-after-ms.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string message, TimeSpan? retryAfter = null)
    {
        var (type, code) = Classify(status);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (retryAfter is { } wait && status is 429 or 503)
        {
            response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteNull("param");
            writer.WriteString("code", code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The OpenAI error type and code for a status.</summary>
    private static (string Type, string Code) Classify(int status) => status switch
    {
        400 => ("invalid_request_error", "invalid_request"),
        401 => ("invalid_request_error", "invalid_api_key"),
        403 => ("invalid_request_error", "permission_denied"),
        404 => ("invalid_request_error", "model_not_found"),
        429 => ("rate_limit_error", "rate_limit_exceeded"),
        503 => ("server_error", "service_unavailable"),
        _ when status >= 500 => ("server_error", "server_error"),
        _ => ("invalid_request_error", "error"),
    };

    /// <summary>The message a status gets when a fault injects it.</summary>
    public static string InjectedMessage(int status) => status switch
    {
        429 => "Rate limit reached for requests (injected by the test model server).",
        503 => "The engine is currently overloaded, please try again later (injected by the test model server).",
        _ => "The server had an error while processing your request (injected by the test model server).",
    };
}
