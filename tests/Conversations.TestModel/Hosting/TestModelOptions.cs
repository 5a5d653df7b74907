namespace Conversations.TestModel.Hosting;

/// <summary>Start-up settings of the test model server; behaviour can change later through <see cref="TestModelControl"/>.</summary>
public sealed record TestModelOptions
{
    /// <summary>Loopback on a port the system picks.</summary>
    public const string DefaultUrl = "http://127.0.0.1:0";

    /// <summary>Dimension of the pseudo-embeddings, as all-MiniLM-L6-v2's.</summary>
    public const int DefaultEmbeddingDimensions = 384;

    /// <summary>Chat requests kept in the in-memory log.</summary>
    public const int DefaultRequestLogCapacity = 10_000;

    /// <summary>Name listed by /v1/models when no model has its own behaviour.</summary>
    public const string DefaultModelName = "test-model";

    /// <summary>Address to listen on (one URL; port 0 picks a free port).</summary>
    public string Url { get; init; } = DefaultUrl;

    /// <summary>When set, requests must carry <c>Authorization: Bearer {ApiKey}</c> or get 401.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Behaviour of every model name without its own.</summary>
    public ModelBehavior Default { get; init; } = new();

    /// <summary>Model names with their own behaviour from the start.</summary>
    public IReadOnlyDictionary<string, ModelBehavior> Models { get; init; } = new Dictionary<string, ModelBehavior>();

    /// <summary>Answer 404 <c>model_not_found</c> for model names without their own behaviour.</summary>
    public bool RejectUnknownModels { get; init; }

    /// <summary>How cached prompt tokens are reported.</summary>
    public PromptCacheOptions PromptCache { get; init; } = new();

    /// <summary>How prompt tokens are counted.</summary>
    public TokenCounting TokenCounting { get; init; } = TokenCounting.O200k;

    /// <summary>Dimension of /v1/embeddings vectors when the request does not ask for one.</summary>
    public int EmbeddingDimensions { get; init; } = DefaultEmbeddingDimensions;

    /// <summary>Chat requests kept in the log (0 keeps none, for long load runs).</summary>
    public int RequestLogCapacity { get; init; } = DefaultRequestLogCapacity;

    /// <summary>Throws when a setting cannot work.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"Url must be an absolute http URL, was '{Url}'.");
        }

        if (PromptCache.BlockTokens < 1 || PromptCache.MinimumTokens < 0 || PromptCache.CapacityBlocks < 1)
        {
            throw new ArgumentException("PromptCache needs BlockTokens >= 1, MinimumTokens >= 0 and CapacityBlocks >= 1.");
        }

        if (EmbeddingDimensions < 1 || RequestLogCapacity < 0)
        {
            throw new ArgumentException("EmbeddingDimensions must be positive and RequestLogCapacity not negative.");
        }
    }
}
