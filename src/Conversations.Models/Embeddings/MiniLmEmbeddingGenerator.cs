using Microsoft.Extensions.AI;

namespace Conversations.Models.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 run in-process through ONNX (<see cref="MiniLmEncoder"/>): 384-dimensional, L2-normalized sentence
/// embeddings, from the fp32 model or (<paramref name="quantized"/>) its int8 quantization, a model id of its own.
/// </summary>
public sealed class MiniLmEmbeddingGenerator(bool quantized = false) : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The fp32 model's name as stored with each document.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";
    /// <summary>The int8 model's name: its vectors differ slightly from the fp32 model's, so documents record which.</summary>
    public const string QuantizedModelId = "all-MiniLM-L6-v2-int8";
    /// <summary>The model's vector length.</summary>
    public const int ModelDimensions = MiniLmEncoder.Dimensions;
    /// <summary>
    /// The <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> entry naming whose work a bulk call is (a
    /// tenant): the encoder serves such lanes in turn.
    /// </summary>
    public const string LaneProperty = "conversations.encoder_lane";

    private readonly MiniLmEncoder _encoder = new(quantized: quantized);
    private readonly EmbeddingGeneratorMetadata _metadata = new("onnx-local", null, quantized ? QuantizedModelId : ModelId, ModelDimensions);

    /// <summary>The model id stored with what this generator embeds.</summary>
    public string Id => _metadata.DefaultModelId!;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        if (texts.Length == 0) return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        // Inference is CPU work: off the caller's (grain scheduler) thread, and a bulk batch off the thread pool too.
        return Generate(texts, options?.AdditionalProperties?.GetValueOrDefault(LaneProperty) as string, cancellationToken);
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>> Generate(string[] texts, string? lane, CancellationToken cancellationToken)
    {
        var vectors = await _encoder.EncodeAsync(texts, lane, cancellationToken);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = Id, CreatedAt = created }));
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
