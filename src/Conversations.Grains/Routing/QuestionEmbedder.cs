using Conversations.Grains.Chat;
using Conversations.Grains.Knowledge;
using Conversations.Models.Embeddings;
using Conversations.Routing.Learned;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Routing;

/// <summary>
/// Embeds a turn's question with all-MiniLM-L6-v2 for the learned router: when the knowledge base's model is that
/// model, the turn's one embedding (<see cref="QuestionEmbedding"/>, shared with retrieval and the answer cache), else
/// a local one loaded on first use. Null when the router has no weights or the embedding fails: the keyword estimator
/// then decides, and the route reason says so.
/// </summary>
internal sealed partial class QuestionEmbedder(QuestionEmbeddings embeddings, ILogger<QuestionEmbedder> logger)
{
    private readonly Lazy<EmbeddingModel> _local = new(() =>
        new EmbeddingModel(new MiniLmEmbeddingGenerator(), MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.ModelDimensions, 1));

    /// <summary>The question's embedding, or null when the learned router cannot use one.</summary>
    public async Task<float[]?> EmbedAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        if (LearnedRouter.Shipped is null || string.IsNullOrWhiteSpace(context.Question)) return null;
        try
        {
            return embeddings.Model is { ModelId: MiniLmEmbeddingGenerator.ModelId }
                ? await context.Embedding.VectorAsync(cancellationToken)
                : (await _local.Value.EmbedAsync([context.Question], cancellationToken))[0];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEmbeddingFailed(logger, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Question embedding for routing failed; the keyword estimator decides")]
    private static partial void LogEmbeddingFailed(ILogger logger, Exception exception);
}
