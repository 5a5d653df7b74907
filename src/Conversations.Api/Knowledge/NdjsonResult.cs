using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Knowledge;

/// <summary>
/// Writes a stream as newline-delimited JSON, flushing each line. The first item is awaited before the status is
/// sent, so input errors the producer finds at once still become a problem-details 400.
/// </summary>
internal sealed class NdjsonResult<T>(IAsyncEnumerable<T> items) : IResult
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
            await JsonSerializer.SerializeAsync(response.Body, e.Current, json, http.RequestAborted);
            await response.Body.WriteAsync("\n"u8.ToArray(), http.RequestAborted);
            await response.Body.FlushAsync(http.RequestAborted);
            has = await e.MoveNextAsync();
        }
    }
}
