using System.Globalization;
using System.Text;
using System.Text.Json;
using Conversations.Api.Chat;
using Conversations.Api.Errors;
using Conversations.Contracts.Images;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Conversations.Api.OpenAi;

/// <summary>
/// The body check of POST /v1/chat/completions, run before the rate limit like the native route's: the question is the
/// last <c>user</c> message, within the same size limit and free of text the database cannot store.
/// </summary>
internal static class CompletionRequestCheck
{
    private static readonly string[] KnownRoles = ["system", "developer", "user", "assistant", "tool", "function"];

    /// <summary>A problem for a body the route cannot use, or null.</summary>
    public static IResult? Check(ChatCompletionRequest body, HttpContext http)
    {
        if (body.Messages is not { Count: > 0 } messages)
            return Invalid("messages is required: a non-empty array such as [{\"role\": \"user\", \"content\": \"Hello\"}].", "messages");
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i]?.Role is not { } role || !KnownRoles.Contains(role))
                return Invalid($"messages[{i}].role must be one of {string.Join(", ", KnownRoles)}.", $"messages[{i}].role");
        }
        if (body.N is { } n && n != 1) return Invalid("Only n = 1 is supported: the platform writes one answer per turn.", "n");
        if (SamplingProblem(body) is { } sampling) return sampling;
        if (body.StreamOptions is not null && body.Stream != true)
            return Invalid("stream_options is only allowed when stream is true.", "stream_options");

        var last = LastUserIndex(messages);
        if (last < 0)
            return Invalid("messages has no message with role 'user'. The last user message is the question; send at least one.", "messages");
        // The last user message is the question: an answer or a tool result after it (a prefill, a tool loop) would have
        // the earlier question asked again as a new turn.
        if (messages.Skip(last + 1).Any(m => m?.Role is "assistant" or "tool" or "function"))
            return Invalid("The last message must be the user's question: the platform keeps the conversation's history itself, continues no assistant prefill and calls no tools, so a trailing assistant or tool message cannot be answered.",
                $"messages[{messages.Count - 1}].role", "unsupported_value");
        var param = $"messages[{last}].content";
        if (!TryText(messages[last].Content, out var text, out var problem, out var images)) return Invalid(problem, param);
        var limits = http.RequestServices.GetRequiredService<IMessageImages>();
        if (images.Count > limits.MaxImagesPerMessage)
            return Invalid($"The last user message has {images.Count} image parts; the limit is {limits.MaxImagesPerMessage}.", param, "too_many_images");
        if (images.FirstOrDefault(u => !u.StartsWith("data:", StringComparison.Ordinal) && !u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) is { } bad)
            return Invalid($"An image_url must be an http(s) URL or a base64 data URL (data:image/png;base64,…), not '{(bad.Length > 40 ? bad[..40] + "…" : bad)}'.", param, "invalid_image_url");
        if (!StorableText.IsStorable(text)) return Invalid(StorableText.NulDetail(param), param);
        // An image alone is a question (OpenAI takes it); no text and no image is not.
        if (string.IsNullOrWhiteSpace(text) && images.Count == 0) return Invalid("The last user message is empty; send the question as its content.", param);
        var max = http.RequestServices.GetRequiredService<IOptions<ChatApiOptions>>().Value.MaxMessageChars;
        if (text.Length > max)
        {
            // OpenAI's answer to a prompt over the context: a 400 context_length_exceeded, which the SDKs raise as a
            // BadRequestError and frameworks catch to trim the input (a 413 is a generic status error to them).
            return Invalid($"The last user message has {text.Length:N0} characters; the limit is {max:N0}. Shorten it or split it into several messages.",
                param, "context_length_exceeded");
        }
        return null;
    }

    // OpenAI's own ranges: a client that sends 5 for temperature has a bug it should hear about, even where the value is
    // not forwarded. Output the platform cannot give (a forced tool call, JSON) is refused rather than silently not given.
    private static ProblemHttpResult? SamplingProblem(ChatCompletionRequest body)
    {
        var range = OutOfRange("temperature", body.Temperature, 0, 2) ?? OutOfRange("top_p", body.TopP, 0, 1)
            ?? OutOfRange("presence_penalty", body.PresencePenalty, -2, 2) ?? OutOfRange("frequency_penalty", body.FrequencyPenalty, -2, 2)
            ?? AtLeastOne("max_tokens", body.MaxTokens) ?? AtLeastOne("max_completion_tokens", body.MaxCompletionTokens);
        if (range is not null) return range;
        if (body.ToolChoice is { } choice && !(choice.ValueKind == JsonValueKind.Null
            || choice.ValueKind == JsonValueKind.String && choice.GetString() is "none" or "auto"))
            return Invalid("tool_choice may be \"none\" or \"auto\": the platform answers in text and calls no tools, so it cannot force a tool call.",
                "tool_choice", "unsupported_value");
        if (body.ResponseFormat is { } format && !(format.ValueKind == JsonValueKind.Null || format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text"))
            return Invalid("response_format may only be {\"type\": \"text\"}: the platform's answers are grounded text and cannot be held to JSON.",
                "response_format", "unsupported_value");
        if (body.Stop is { } stop && !(stop.ValueKind == JsonValueKind.Null || stop.ValueKind == JsonValueKind.String && stop.GetString() == ""
            || stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() == 0))
            return Invalid("stop is not supported: the platform's answers run to their end (or max_tokens), so a stop sequence would not be honoured. Leave it out.",
                "stop", "unsupported_value");
        if (body.Tools is { ValueKind: not (JsonValueKind.Array or JsonValueKind.Null) })
            return Invalid("tools must be an array of tool definitions.", "tools", "invalid_type");
        if (body.FunctionCall is { } call && !(call.ValueKind == JsonValueKind.Null
            || call.ValueKind == JsonValueKind.String && call.GetString() is "none" or "auto"))
            return Invalid("function_call may be \"none\" or \"auto\": the platform answers in text and calls no functions, so it cannot force a call.",
                "function_call", "unsupported_value");
        if (body.Modalities is { ValueKind: JsonValueKind.Array } modalities && modalities.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String || m.GetString() != "text")
            || body.Audio is { ValueKind: not JsonValueKind.Null })
            return Invalid("Audio output is not supported: the platform answers in text. Send modalities [\"text\"] (or leave it out) and no audio.",
                body.Audio is { ValueKind: not JsonValueKind.Null } ? "audio" : "modalities", "unsupported_value");
        if (body.Logprobs == true) return Invalid("logprobs is not supported: the platform does not return token log probabilities. Leave it out or send false.", "logprobs", "unsupported_value");
        if (body.TopLogprobs is not null) return Invalid("top_logprobs is not supported: the platform does not return token log probabilities.", "top_logprobs", "unsupported_value");
        return null;
    }

    private static ProblemHttpResult? OutOfRange(string param, double? value, double min, double max) => value is { } v && (v < min || v > max)
        ? Invalid(string.Create(CultureInfo.InvariantCulture, $"{param} must be between {min} and {max}; it was {v}."), param, "invalid_value")
        : null;

    private static ProblemHttpResult? AtLeastOne(string param, int? value) => value is < 1
        ? Invalid(string.Create(CultureInfo.InvariantCulture, $"{param} must be at least 1; it was {value}."), param, "invalid_value")
        : null;

    /// <summary>The question: the text of the last <c>user</c> message (call after <see cref="Check"/> passed).</summary>
    public static string Question(ChatCompletionRequest body)
    {
        var messages = body.Messages ?? [];
        var last = LastUserIndex(messages);
        return last >= 0 && TryText(messages[last].Content, out var text, out _, out _) ? text : "";
    }

    /// <summary>Where the question is, as an error's <c>param</c>: <c>messages[i].content</c> of the last <c>user</c> message.</summary>
    public static string QuestionParam(ChatCompletionRequest body) => $"messages[{LastUserIndex(body.Messages ?? [])}].content";

    /// <summary>The image URLs of the last <c>user</c> message's <c>image_url</c> parts (http(s) or data URLs), in order.</summary>
    public static IReadOnlyList<string> ImageUrls(ChatCompletionRequest body)
    {
        var messages = body.Messages ?? [];
        var last = LastUserIndex(messages);
        return last >= 0 && TryText(messages[last].Content, out _, out _, out var images) ? images : [];
    }

    /// <summary>400 in OpenAI's terms: what is wrong, and which parameter.</summary>
    public static ProblemHttpResult Invalid(string detail, string? param, string? code = null) => TypedResults.Problem(detail, statusCode: 400,
        title: "The request is not valid", extensions: new Dictionary<string, object?> { ["param"] = param, ["code"] = code });

    private static int LastUserIndex(IReadOnlyList<ChatCompletionMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
            if (messages[i]?.Role == "user") return i;
        return -1;
    }

    // A string, or an array of parts: text parts are joined (a line break between them, none where they meet inside a
    // word), image_url parts ({"image_url": {"url": …}}) collected.
    private static bool TryText(JsonElement? content, out string text, out string problem, out List<string> images)
    {
        (text, problem, images) = ("", "", []);
        switch (content)
        {
            case { ValueKind: JsonValueKind.String } s:
                text = s.GetString() ?? "";
                return true;
            case { ValueKind: JsonValueKind.Array } parts:
                var sb = new StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    if (ImagePartUrl(part) is { } url)
                    {
                        images.Add(url);
                        continue;
                    }
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "text"
                        || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                    {
                        problem = "Content parts must be {\"type\": \"text\", \"text\": \"…\"} or {\"type\": \"image_url\", \"image_url\": {\"url\": \"…\"}}.";
                        return false;
                    }
                    // The joined text is what moderation checks and what the model reads, so both read the same words:
                    // parts meeting inside a word (a letter or digit on each side) are that word, not two lines.
                    var piece = t.GetString() ?? "";
                    if (sb.Length > 0 && !(piece.Length > 0 && char.IsLetterOrDigit(sb[^1]) && char.IsLetterOrDigit(piece[0]))) sb.Append('\n');
                    sb.Append(piece);
                }
                text = sb.ToString();
                return true;
            default:
                problem = "The last user message needs content: a string, or an array of text parts.";
                return false;
        }
    }

    private static string? ImagePartUrl(JsonElement part) =>
        part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && type.GetString() == "image_url" && part.TryGetProperty("image_url", out var image)
            && image.ValueKind == JsonValueKind.Object && image.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String
            ? url.GetString() ?? ""
            : null;
}
