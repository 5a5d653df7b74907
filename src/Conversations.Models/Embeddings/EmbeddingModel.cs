using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Conversations.Models.Embeddings;

/// <summary>The configured embedding generator with the model id and vector length stored next to each chunk.</summary>
public sealed record EmbeddingModel(IEmbeddingGenerator<string, Embedding<float>> Generator, string ModelId, int Dimensions, int BatchSize)
{
    /// <summary>The endpoint texts are sent to, or null when the model runs in this process.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The local model, or the OpenAI-compatible endpoint when <paramref name="options"/> name one.</summary>
    public static EmbeddingModel Create(EmbeddingOptions options)
    {
        options.Validate();
        if (!options.UsesEndpoint)
        {
            var local = new MiniLmEmbeddingGenerator(quantized: options.LocalModelId == MiniLmEmbeddingGenerator.QuantizedModelId);
            return new EmbeddingModel(local, local.Id, MiniLmEmbeddingGenerator.ModelDimensions, options.EffectiveBatchSize);
        }

        var client = new OpenAIClient(
            new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "none" : options.ApiKey),
            new OpenAIClientOptions { Endpoint = new Uri(options.Endpoint!), RetryPolicy = new ClientRetryPolicy(maxRetries: 2) });
        var generator = client.GetEmbeddingClient(options.ModelId!).AsIEmbeddingGenerator(options.Dimensions);
        return new EmbeddingModel(new CheckedDimensionsGenerator(generator, options.Dimensions!.Value), options.ModelId!, options.Dimensions!.Value, options.EffectiveBatchSize)
        {
            Endpoint = new Uri(options.Endpoint!),
        };
    }

    /// <summary>Embeds texts in batches of <see cref="BatchSize"/>, in order.</summary>
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken ct = default) => EmbedAsync(texts, null, ct);

    /// <summary>
    /// Embeds texts in batches of <see cref="BatchSize"/>, in order, as <paramref name="lane"/>'s work (a tenant): the
    /// local model serves the lanes of bulk work in turn. An endpoint is not told.
    /// </summary>
    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, string? lane, CancellationToken ct = default)
    {
        var options = new EmbeddingGenerationOptions { Dimensions = Dimensions };
        if (lane is not null && Endpoint is null) (options.AdditionalProperties ??= [])[MiniLmEmbeddingGenerator.LaneProperty] = lane;
        var result = new List<float[]>(texts.Count);
        for (var i = 0; i < texts.Count; i += BatchSize)
        {
            var batch = texts.Skip(i).Take(BatchSize).ToList();
            var embeddings = await Generator.GenerateAsync(batch, options, ct);
            result.AddRange(embeddings.Select(e => e.Vector.ToArray()));
        }
        return result;
    }
}

/// <summary>Rejects vectors of the wrong length, so a misconfigured endpoint fails loudly instead of storing junk.</summary>
internal sealed class CheckedDimensionsGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int dimensions)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await base.GenerateAsync(values, options, cancellationToken);
        foreach (var e in result)
            if (e.Vector.Length != dimensions)
                throw new InvalidOperationException(
                    $"The embedding endpoint returned {e.Vector.Length} dimensions; Models:Embeddings:Dimensions says {dimensions}.");
        return result;
    }
}
