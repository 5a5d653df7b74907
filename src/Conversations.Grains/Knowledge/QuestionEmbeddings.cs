using Conversations.Grains.Chat;
using Conversations.Models.Embeddings;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Knowledge;

/// <summary>
/// The knowledge base's embedding model as the turn path uses it (retrieval, the drift sketch): each question is
/// embedded as its <see cref="QuestionEmbedding.Text"/>, under the tenant's personal-data policy. Without the
/// knowledge feature there is no model (<see cref="Model"/> is null) and nothing is embedded.
/// </summary>
internal sealed class QuestionEmbeddings(EmbeddingModel? model, IOptions<ChatOptions> chat)
{
    /// <summary>The knowledge base's embedding model; null without the knowledge feature.</summary>
    public EmbeddingModel? Model => model;

    /// <summary>The embedding of a moderated question.</summary>
    public QuestionEmbedding For(InputVerdict verdict) => new(model, verdict, chat.Value.PersonalDataAllowedHosts);
}

/// <summary>
/// One question as the embedding model may receive it, and its vector: made once, by whichever part of the turn asks
/// first (retrieval, the semantic answer cache, the learned router), and shared by the others.
/// </summary>
internal sealed class QuestionEmbedding(EmbeddingModel? model, InputVerdict verdict, IReadOnlyCollection<string> allowedHosts)
{
    private readonly Lock _gate = new();
    private Task<float[]>? _vector;

    /// <summary>The model the question is embedded with; null without the knowledge feature.</summary>
    public EmbeddingModel? Model => model;

    /// <summary>The moderated question.</summary>
    public InputVerdict Verdict => verdict;

    /// <summary>
    /// The text that is embedded: an embedding endpoint outside this process gets the masked text unless the policy
    /// (or the operator's allowlist) sends it as it is, as a model request does; a refused question only ever as stored.
    /// </summary>
    public string Text { get; } = !verdict.Allowed
        || (model is not null && PersonalDataGate.MustMask(model.Endpoint, verdict.PersonalDataToModels, allowedHosts))
        ? verdict.TextToStore
        : verdict.TextForModel;

    /// <summary>The vector once made (by a search, say); null while none was asked for, or it failed.</summary>
    public float[]? Made => _vector is { IsCompletedSuccessfully: true } made ? made.Result : null;

    /// <summary>
    /// The question's vector of <see cref="Text"/>, started by the first caller (with its cancellation: a turn's parts
    /// share the turn's token) and awaited by the rest.
    /// </summary>
    public Task<float[]> VectorAsync(CancellationToken cancellationToken)
    {
        var embedder = model ?? throw new InvalidOperationException("No embedding model: the knowledge feature is not added.");
        lock (_gate) return _vector ??= EmbedAsync(embedder, cancellationToken);
    }

    private async Task<float[]> EmbedAsync(EmbeddingModel embedder, CancellationToken cancellationToken) =>
        (await embedder.EmbedAsync([Text], cancellationToken))[0];
}
