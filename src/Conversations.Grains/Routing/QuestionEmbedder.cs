using Conversations.Models.Embeddings;
using Conversations.Routing.Learned;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.Routing;

/// <summary>
/// Embeds a turn's question with all-MiniLM-L6-v2 for the learned router: the knowledge base's own generator when it
/// is that model (no second copy in memory), else a local one loaded on first use. Null when the router has no
/// weights or the embedding fails: the keyword estimator then decides, and the route reason says so.
/// </summary>
internal sealed partial class QuestionEmbedder(IServiceProvider services, ILogger<QuestionEmbedder> logger)
{
    private readonly Lazy<EmbeddingModel> _model = new(() =>
        services.GetService(typeof(EmbeddingModel)) is EmbeddingModel { ModelId: MiniLmEmbeddingGenerator.ModelId } shared
            ? shared
            : new EmbeddingModel(new MiniLmEmbeddingGenerator(), MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.ModelDimensions, 1));

    /// <summary>The question's embedding, or null when the learned router cannot use one.</summary>
    public async Task<float[]?> EmbedAsync(string question, CancellationToken cancellationToken)
    {
        if (LearnedRouter.Shipped is null || string.IsNullOrWhiteSpace(question)) return null;
        try
        {
            return (await _model.Value.EmbedAsync([question], cancellationToken))[0];
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
