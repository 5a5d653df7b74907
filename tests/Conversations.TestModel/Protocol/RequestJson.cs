using System.Text.Json.Serialization.Metadata;

namespace Conversations.TestModel.Protocol;

/// <summary>Reads request bodies the way OpenAI answers them: a body that is not JSON gets its 400.</summary>
internal static class RequestJson
{
    /// <summary>The parsed body (null for a JSON <c>null</c>); Parsed is false when the 400 was written instead.</summary>
    public static async Task<(bool Parsed, T? Body)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return (true, await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted));
        }
        catch (JsonException error)
        {
            await OpenAIErrors.WriteAsync(context, 400, $"We could not parse the JSON body of your request. ({error.Message})");
            return (false, null);
        }
    }
}
