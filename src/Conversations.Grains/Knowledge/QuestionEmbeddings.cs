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

/// <summary>One question as the embedding model may receive it.</summary>
internal sealed class QuestionEmbedding(EmbeddingModel? model, InputVerdict verdict, IReadOnlyCollection<string> allowedHosts)
{
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
}
