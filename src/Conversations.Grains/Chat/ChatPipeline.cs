using Conversations.Grains.Drift;
using Conversations.Grains.Images;
using Conversations.Grains.Knowledge;
using Conversations.Prompting.Tokens;
using Conversations.Storage.Chat;
using Conversations.Storage.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Chat;

/// <summary>
/// What every chat turn of a silo runs with: the optional stages (moderation, router, knowledge; pass-through defaults
/// until their feature is added), the model client, the stores and the settings. One per silo; each turn is a
/// <see cref="Turn.ChatTurn"/> over it.
/// </summary>
internal sealed class ChatPipeline(
    ITurnModeration moderation,
    ITurnRouter router,
    IKnowledgeRetriever retriever,
    QuestionEmbeddings embeddings,
    IChatModelProvider models,
    ITokenCounter tokens,
    ConversationStore store,
    UsageStore usage,
    ModelSummarizer summarizer,
    ImageStore images,
    IOptions<ImageOptions> imageOptions,
    IOptions<ChatOptions> options,
    DriftSamples driftSamples,
    ILogger<ConversationGrain> logger)
{
    /// <summary>Where finished turns leave their drift samples.</summary>
    public DriftSamples DriftSamples => driftSamples;

    /// <summary>Stages 2 and 7.</summary>
    public ITurnModeration Moderation => moderation;

    /// <summary>Stage 6.</summary>
    public ITurnRouter Router => router;

    /// <summary>The images questions carry.</summary>
    public ImageStore Images => images;

    /// <summary>The most images one model request carries: as many as one message may (<c>Images:MaxImagesPerMessage</c>).</summary>
    public int MaxImagesPerRequest => imageOptions.Value.MaxImagesPerMessage;

    /// <summary>Stages 3 and 4.</summary>
    public IKnowledgeRetriever Retriever => retriever;

    /// <summary>How a turn's question is embedded (retrieval, the drift sketch).</summary>
    public QuestionEmbeddings Embeddings => embeddings;

    /// <summary>The platform's model client and its timeouts.</summary>
    public IChatModelProvider Models => models;

    /// <summary>Counts tokens as the models do.</summary>
    public ITokenCounter Tokens => tokens;

    /// <summary>The conversations' log.</summary>
    public ConversationStore Store => store;

    /// <summary>The usage ledger, for calls whose turn left no message to carry their rows.</summary>
    public UsageStore Usage => usage;

    /// <summary>Folds old turns into a conversation's summary.</summary>
    public ModelSummarizer Summarizer => summarizer;

    /// <summary>Platform-wide turn settings.</summary>
    public ChatOptions Options => options.Value;

    /// <summary>Where turns log (under the conversation grain's category).</summary>
    public ILogger Logger => logger;
}
