using Microsoft.Extensions.AI;

namespace Conversations.Models.Embeddings;

/// <summary>all-MiniLM-L6-v2 run in-process through ONNX (<see cref="MiniLmEncoder"/>): 384-dimensional, L2-normalized sentence embeddings.</summary>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's name as stored with each document.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";
    /// <summary>The model's vector length.</summary>
    public const int ModelDimensions = MiniLmEncoder.Dimensions;

    private readonly MiniLmEncoder _encoder = new();
    private readonly EmbeddingGeneratorMetadata _metadata = new("onnx-local", null, ModelId, ModelDimensions);

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        if (texts.Length == 0) return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        // Inference is CPU work: keep it off the caller's (grain scheduler) thread.
        return Task.Run(() =>
        {
            var vectors = _encoder.Encode(texts, cancellationToken);
            var created = DateTimeOffset.UtcNow;
            return new GeneratedEmbeddings<Embedding<float>>(
                vectors.Select(v => new Embedding<float>(v) { ModelId = ModelId, CreatedAt = created }));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose() => _encoder.Dispose();
}
