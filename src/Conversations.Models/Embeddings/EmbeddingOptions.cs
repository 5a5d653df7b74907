namespace Conversations.Models.Embeddings;

/// <summary>
/// Configuration section <c>Models:Embeddings</c>: an OpenAI-compatible embedding endpoint, or nothing for the local
/// all-MiniLM-L6-v2 model (384 dimensions, in-process, no network).
/// </summary>
public sealed class EmbeddingOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Models:Embeddings";

    /// <summary>Most texts sent to an endpoint in one call, unless <see cref="BatchSize"/> says otherwise.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>
    /// Most texts given to the local model in one call, unless <see cref="BatchSize"/> says otherwise. The encoder sorts a
    /// call's texts by length and pads each group only to its longest: with 32 texts a document's short last chunk often
    /// shares a group with full ones; with 128 the groups are nearly even (about 1.2x the chunks a second, measured in
    /// docs/benchmarks-knowledge.md), and an upload still reports progress every second or two.
    /// </summary>
    public const int DefaultLocalBatchSize = 128;

    /// <summary>Base URL including <c>/v1</c>; empty means the local model.</summary>
    public string? Endpoint { get; set; }

    /// <summary>API key sent as a bearer token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model id, e.g. <c>text-embedding-v3</c>.</summary>
    public string? ModelId { get; set; }

    /// <summary>Vector length the endpoint returns (asked for in each request); required with an endpoint.</summary>
    public int? Dimensions { get; set; }

    /// <summary>
    /// The model run in-process without an endpoint: <c>all-MiniLM-L6-v2</c> (fp32, the default) or
    /// <c>all-MiniLM-L6-v2-int8</c> (its int8 quantization: about half the CPU a chunk, slightly different vectors).
    /// Each document records the model it was embedded with; a re-upload after a change re-embeds it.
    /// </summary>
    public string? LocalModel { get; set; }

    /// <summary>The local model's id: <see cref="LocalModel"/>, or the fp32 model when unset.</summary>
    public string LocalModelId => string.IsNullOrWhiteSpace(LocalModel) ? MiniLmEmbeddingGenerator.ModelId : LocalModel.Trim();

    /// <summary>Most texts sent to the model in one call; unset: <see cref="DefaultBatchSize"/> for an endpoint, <see cref="DefaultLocalBatchSize"/> for the local model.</summary>
    public int? BatchSize { get; set; }

    /// <summary>The batch size in effect: <see cref="BatchSize"/>, or the default for the configured model.</summary>
    public int EffectiveBatchSize => BatchSize ?? (UsesEndpoint ? DefaultBatchSize : DefaultLocalBatchSize);

    /// <summary>True when an endpoint and model id are configured.</summary>
    public bool UsesEndpoint => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(ModelId);

    /// <summary>Throws a clear start-up error for an unusable configuration.</summary>
    public void Validate()
    {
        if (BatchSize is not null and (< 1 or > 2048)) throw new InvalidOperationException($"{Section}:BatchSize must be 1..2048.");
        if (!UsesEndpoint)
        {
            if (LocalModelId is not (MiniLmEmbeddingGenerator.ModelId or MiniLmEmbeddingGenerator.QuantizedModelId))
                throw new InvalidOperationException(
                    $"{Section}:LocalModel '{LocalModel}' is not a local model: use '{MiniLmEmbeddingGenerator.ModelId}' or '{MiniLmEmbeddingGenerator.QuantizedModelId}'.");
            return;
        }
        if (!string.IsNullOrWhiteSpace(LocalModel))
            throw new InvalidOperationException($"{Section}:LocalModel applies to the local model only; remove it or the endpoint.");
        if (!Uri.IsWellFormedUriString(Endpoint, UriKind.Absolute))
            throw new InvalidOperationException($"{Section}:Endpoint must be an absolute URL (include /v1).");
        if (Dimensions is not (>= 1 and <= 2000))
            throw new InvalidOperationException($"{Section}:Dimensions must be set to the model's vector length (1..2000) when an endpoint is used.");
    }
}
