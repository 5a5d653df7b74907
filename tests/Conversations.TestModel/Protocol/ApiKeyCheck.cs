namespace Conversations.TestModel.Protocol;

/// <summary>Checks the bearer key when the server was started with one.</summary>
internal static class ApiKeyCheck
{
    /// <summary>True when no key is required or the request carries <c>Authorization: Bearer {key}</c>.</summary>
    public static bool IsAuthorized(HttpContext context, TestModelOptions options)
    {
        if (options.ApiKey is null)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && header.AsSpan(7).Trim().SequenceEqual(options.ApiKey);
    }

    /// <summary>True when the request may go on; otherwise writes the 401 and returns false.</summary>
    public static async Task<bool> AuthorizeAsync(HttpContext context, TestModelOptions options)
    {
        if (IsAuthorized(context, options))
        {
            return true;
        }

        await RejectAsync(context);
        return false;
    }

    /// <summary>Writes the 401 OpenAI sends for a missing or wrong key.</summary>
    public static Task RejectAsync(HttpContext context) =>
        OpenAIErrors.WriteAsync(context, 401, "Incorrect API key provided. You can find your API key in your account settings.");
}
