namespace Conversations.Routing.Catalog;

/// <summary>The validated set of models a tenant registered, looked up by id.</summary>
public sealed class ModelCatalog
{
    /// <summary>Id of the last fallback tier: the rule-based extractive responder, which needs no model.</summary>
    public const string ExtractiveId = "extractive";

    /// <summary>Upper bound on a context window; anything above is a typo, not a model.</summary>
    public const int MaxContextWindowTokens = 10_000_000;

    private readonly Dictionary<string, ModelEntry> _byId;

    /// <summary>Validates <paramref name="models"/> and builds the catalog; throws <see cref="ArgumentException"/> naming the first problem.</summary>
    public ModelCatalog(IEnumerable<ModelEntry> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        Models = models.ToArray();
        _byId = new Dictionary<string, ModelEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in Models)
        {
            Validate(model);
            if (!_byId.TryAdd(model.Id, model))
            {
                throw new ArgumentException($"Model id '{model.Id}' is registered twice (ids are case-insensitive).", nameof(models));
            }
        }
    }

    /// <summary>All models in registration order.</summary>
    public IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>The model with <paramref name="id"/>, or null.</summary>
    public ModelEntry? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The model with <paramref name="id"/>; throws <see cref="KeyNotFoundException"/> when unknown.</summary>
    public ModelEntry Get(string id) =>
        Find(id) ?? throw new KeyNotFoundException($"Model '{id}' is not in the catalog.");

    /// <summary>Whether <paramref name="id"/> is a registered model.</summary>
    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>Throws <see cref="ArgumentException"/> with a message naming the field when <paramref name="model"/> is not usable.</summary>
    public static void Validate(ModelEntry model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(model.Id))
        {
            throw new ArgumentException("Model id must not be empty.", nameof(model));
        }

        var name = $"Model '{model.Id}'";
        if (string.Equals(model.Id, ExtractiveId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{name}: the id '{ExtractiveId}' is reserved for the built-in extractive responder.", nameof(model));
        }

        if (!Uri.TryCreate(model.Endpoint, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{name}: endpoint '{model.Endpoint}' must be an absolute http or https URL.", nameof(model));
        }

        if (string.IsNullOrWhiteSpace(model.ModelName))
        {
            throw new ArgumentException($"{name}: model name (the name the endpoint expects) must not be empty.", nameof(model));
        }

        if (!Enum.IsDefined(model.Tier))
        {
            throw new ArgumentException($"{name}: tier {(int)model.Tier} is not one of small, large, domain.", nameof(model));
        }

        if (model.Domains is null || model.Domains.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{name}: domains must be a list of non-empty names.", nameof(model));
        }

        if (model.Tier == ModelTier.Domain && model.Domains.Count == 0)
        {
            throw new ArgumentException($"{name}: a domain-tier model must name at least one domain (for example \"math\").", nameof(model));
        }

        if (model.InputPerMillion < 0 || model.CachedInputPerMillion < 0 || model.OutputPerMillion < 0)
        {
            throw new ArgumentException($"{name}: prices must not be negative.", nameof(model));
        }

        if (model.CachedInputPerMillion > model.InputPerMillion)
        {
            throw new ArgumentException(
                $"{name}: cached-input price {model.CachedInputPerMillion} is above the input price {model.InputPerMillion}; cached tokens are billed at most at the input price.",
                nameof(model));
        }

        if (model.ContextWindowTokens <= 0 || model.ContextWindowTokens > MaxContextWindowTokens)
        {
            throw new ArgumentException($"{name}: context window {model.ContextWindowTokens} must be between 1 and {MaxContextWindowTokens} tokens.", nameof(model));
        }

        if (model.BatchDiscount < 0 || model.BatchDiscount >= 1)
        {
            throw new ArgumentException($"{name}: batch discount {model.BatchDiscount} must be at least 0 and below 1 (0.5 = half price).", nameof(model));
        }
    }
}
