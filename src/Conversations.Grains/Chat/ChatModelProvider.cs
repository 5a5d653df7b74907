using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Chat;

/// <summary>Gives a turn its chat model: the configured endpoint, or the extractive responder when none is configured.</summary>
internal interface IChatModelProvider
{
    /// <summary>The model turns use.</summary>
    IChatModel Primary { get; }

    /// <summary>Timeouts and endpoint settings.</summary>
    ChatModelOptions Options { get; }
}

/// <summary>Builds the model client once from <see cref="ChatModelOptions"/>.</summary>
internal sealed class ChatModelProvider(IOptions<ChatModelOptions> options) : IChatModelProvider
{
    private readonly Lazy<IChatModel> _primary = new(() =>
    {
        var o = options.Value;
        return o.IsConfigured
            ? OpenAiStreamingChatModel.Create(o.Endpoint!, o.ModelId!, o.ApiKey, o.FirstTokenTimeout + o.StallTimeout + TimeSpan.FromMinutes(5), o.SendPromptCacheKey,
                null, o.StreamWithSemanticKernel)
            : new ExtractiveResponder();
    });

    /// <inheritdoc />
    public IChatModel Primary => _primary.Value;

    /// <inheritdoc />
    public ChatModelOptions Options => options.Value;
}
