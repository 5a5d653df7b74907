using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Conversations.Prompting.Layout;
using Conversations.Prompting.Tokens;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Demo;

/// <summary>
/// The demo's model endpoint: the extractive responder behind the OpenAI chat-completions wire protocol, so the demo
/// tenant has two catalog models to route between, run batches and evaluations on and try a canary with, on a machine
/// with no model. It is a model endpoint, not a door into the platform: the platform calls it like any registered model,
/// through the turn's stages. Mapped only with <c>Bootstrap:DemoEnabled</c> and a <c>Bootstrap:DemoModelKey</c>, which a
/// caller must present.
/// </summary>
internal static class DemoModelApi
{
    /// <summary>The path of the endpoint's base URL (what a registration names, with the host before it).</summary>
    public const string BasePath = "/demo-model/v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps <c>POST /demo-model/v1/chat/completions</c> when the demo and its model key are configured.</summary>
    public static WebApplication MapDemoModel(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        if (!options.DemoEnabled || string.IsNullOrEmpty(options.DemoModelKey)) return app;
        app.MapPost(BasePath + "/chat/completions", (HttpContext http, ITokenCounter tokens) => CompleteAsync(http, tokens, options.DemoModelKey))
            .ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private static async Task CompleteAsync(HttpContext http, ITokenCounter tokens, string key)
    {
        var given = http.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes("Bearer " + key)))
        {
            await ErrorAsync(http, StatusCodes.Status401Unauthorized, "invalid_api_key", "The demo model needs its key (Bootstrap:DemoModelKey).");
            return;
        }
        JsonNode? body;
        try { body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted); }
        catch (JsonException) { body = null; }
        if (body is not JsonObject request || request["messages"] is not JsonArray messages || messages.Count == 0)
        {
            await ErrorAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "messages must be a non-empty list.");
            return;
        }
        var prompt = messages.OfType<JsonObject>().Select(m => new PromptMessage(Text(m["role"]) ?? "user", TextOf(m["content"]))).ToList();
        // The responder answers the last message as the question; instructions after it (the small model's "reply
        // [[unsure]] when unsure") are not one.
        while (prompt.Count > 1 && prompt[^1].Role == "system") prompt.RemoveAt(prompt.Count - 1);
        var pieces = new List<string>();
        await foreach (var update in new ExtractiveResponder().StreamAsync(new ModelRequest(prompt, int.MaxValue), http.RequestAborted))
            if (update.Text is { } text) pieces.Add(text);
        var answer = string.Concat(pieces);
        var (promptTokens, completionTokens) = (prompt.Sum(m => tokens.Count(m.Content)), tokens.Count(answer));
        var usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens };
        var id = "chatcmpl-demo" + Guid.NewGuid().ToString("n")[..16];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = Text(request["model"]) ?? "demo";
        if (!Flag(request["stream"]))
        {
            await http.Response.WriteAsJsonAsync(new
            {
                id, @object = "chat.completion", created, model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                usage,
            }, Json, http.RequestAborted);
            return;
        }
        http.Response.ContentType = "text/event-stream";
        async Task SendAsync(object chunk)
        {
            await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, Json) + "\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
        // Word by word, as a model streams; the usage chunk when the caller asks for it (stream_options.include_usage).
        foreach (var piece in pieces)
            await SendAsync(new { id, @object = "chat.completion.chunk", created, model, choices = new[] { new { index = 0, delta = new { content = piece }, finish_reason = (string?)null } } });
        await SendAsync(new { id, @object = "chat.completion.chunk", created, model, choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } } });
        if (request["stream_options"] is JsonObject options && Flag(options["include_usage"]))
            await SendAsync(new { id, @object = "chat.completion.chunk", created, model, choices = Array.Empty<object>(), usage });
        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    // A field of the wrong JSON type reads as absent: a caller's odd body is answered, never a 500.
    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool Flag(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    // A message's content: a string, or the text parts of a list of parts (images are not read).
    private static string TextOf(JsonNode? content) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Where(p => Text(p["type"]) == "text").Select(p => Text(p["text"]))),
        _ => "",
    };

    private static Task ErrorAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error = new { message, type = code, param = (string?)null, code } }, Json, http.RequestAborted);
    }
}
