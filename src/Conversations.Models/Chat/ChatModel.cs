using Conversations.Prompting.Layout;


namespace Conversations.Models.Chat;

/// <summary>What the platform asks a chat model for.</summary>
/// <param name="Messages">The whole prompt, stable prefix first: the messages the prompt builder laid out, as they are.</param>
/// <param name="MaxOutputTokens">Cap on the answer.</param>
/// <param name="CacheKey">Stable per conversation, so providers route repeats to the same cache.</param>
/// <param name="Images">Images, each with the message it goes with (the question's, and earlier questions' still in the prompt); empty for text only.</param>
public sealed record ModelRequest(IReadOnlyList<PromptMessage> Messages, int MaxOutputTokens, string? CacheKey = null, IReadOnlyList<ModelImage>? Images = null);

/// <summary>An image for a vision model: its bytes and media type (sent as a data URL).</summary>
/// <param name="MessageIndex">The index in <see cref="ModelRequest.Messages"/> of the user message it goes with; -1 for the last user message.</param>
public sealed record ModelImage(ReadOnlyMemory<byte> Data, string MediaType, int MessageIndex = -1);

/// <summary>Usage as the model reported it.</summary>
public sealed record ModelUsage(int PromptTokens, int CachedPromptTokens, int CompletionTokens)
{
    /// <summary>
    /// False for figures no call can have (a negative count, more cached tokens than prompt tokens): a broken or hostile
    /// endpoint's report, taken as no report at all, so the call is counted with the tokenizer and marked estimated.
    /// </summary>
    public bool IsPlausible => PromptTokens >= 0 && CompletionTokens >= 0 && CachedPromptTokens >= 0 && CachedPromptTokens <= PromptTokens;
}

/// <summary>One piece of a streamed answer: text, the final usage, or why the model stopped.</summary>
/// <param name="FinishReason">The provider's finish reason in OpenAI's words ("stop", "length", …) when it gave one.</param>
public readonly record struct ModelUpdate(string? Text, ModelUsage? Usage = null, string? FinishReason = null);

/// <summary>A chat model that streams its answer.</summary>
public interface IChatModel
{
    /// <summary>Where the model runs: the endpoint it is called at, or null for a model in this process (extractive, ready answers).</summary>
    Uri? Endpoint => null;

    /// <summary>Name recorded with each answer (model id, or "extractive").</summary>
    string Name { get; }

    /// <summary>Streams the answer; throws on transport or provider errors.</summary>
    IAsyncEnumerable<ModelUpdate> StreamAsync(ModelRequest request, CancellationToken cancellationToken);
}
