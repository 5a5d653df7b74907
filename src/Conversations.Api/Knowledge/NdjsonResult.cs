using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Knowledge;

/// <summary>
/// Writes a stream as newline-delimited JSON, flushing each line. The first item is awaited before the status is
/// sent, so input errors the producer finds at once still become a problem-details 400. A failure after that (the
/// status is sent) ends the stream with one <c>{"error": problem}</c> line instead of a cut connection, so the client
/// learns that the work stopped, and why, as well as what the lines before it say was done.
/// </summary>
internal sealed class NdjsonResult<T>(IAsyncEnumerable<T> items, string stoppedDetail) : IResult
{
    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext http)
    {
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await using var e = items.GetAsyncEnumerator(http.RequestAborted);
        var has = await e.MoveNextAsync();
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = "application/x-ndjson; charset=utf-8";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        while (has)
        {
            await WriteLineAsync(response, e.Current, json, http.RequestAborted);
            try
            {
                has = await e.MoveNextAsync();
            }
            catch (Exception failure) when (!http.RequestAborted.IsCancellationRequested)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Conversations.Api.Knowledge.Upload")
                    .LogError(failure, "A streamed upload stopped part-way");
                var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable, Title = "The upload stopped part-way", Detail = stoppedDetail,
                    Extensions = { ["code"] = "upload_interrupted", ["retryable"] = true, ["traceId"] = http.TraceIdentifier },
                };
                await WriteLineAsync(response, new { error = problem }, json, http.RequestAborted);
                return;
            }
        }
    }

    private static async Task WriteLineAsync<TLine>(HttpResponse response, TLine line, JsonSerializerOptions json, CancellationToken ct)
    {
        await JsonSerializer.SerializeAsync(response.Body, line, json, ct);
        await response.Body.WriteAsync("\n"u8.ToArray(), ct);
        await response.Body.FlushAsync(ct);
    }
}
