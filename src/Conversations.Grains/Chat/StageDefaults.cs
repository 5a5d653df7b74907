using Conversations.Contracts.Chat;
using Conversations.Contracts.Knowledge;
using Conversations.Grains.Knowledge;
using Conversations.Models.Chat;

namespace Conversations.Grains.Chat;

// What a silo without a feature runs in its place: AddChat registers these with TryAdd, and AddModeration,
// AddModelRouting and AddKnowledge replace them.

/// <summary>No moderation: everything passes (the default until the moderation feature is added).</summary>
internal sealed class PassThroughModeration : ITurnModeration
{
    /// <inheritdoc />
    public Task<IModeratedTurn> CheckInputAsync(Caller caller, string conversationId, string turnId, string text, CancellationToken cancellationToken) =>
        Task.FromResult<IModeratedTurn>(new PassThroughTurn(InputVerdict.Pass(text)));

    /// <inheritdoc />
    public IModeratedTurn OutputOnly(Caller caller, string conversationId, string turnId) => new PassThroughTurn(InputVerdict.Pass(""));

    /// <inheritdoc />
    public Task<string> MaskForStorageAsync(string tenantId, string text, CancellationToken cancellationToken) => Task.FromResult(text);

    private sealed class PassThroughTurn(InputVerdict verdict) : IModeratedTurn, IOutputGuard
    {
        public InputVerdict Verdict => verdict;

        public IOutputGuard StartOutput() => this;

        public Task FinishAsync(TurnUsage usage, string answerAsShown) => Task.CompletedTask;

        public GuardedText Push(string delta) => new(delta);

        public GuardedText Complete() => new("");
    }
}

/// <summary>The configured model only (the default until the routing feature is added): one attempt, errors end the turn.</summary>
internal sealed class SingleModelRouter(IChatModelProvider models) : ITurnRouter
{
    /// <inheritdoc />
    public Task<IRoutedTurn> PlanAsync(RoutingContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IRoutedTurn>(Plan(models, context));

    /// <summary>The platform model's plan: the configured model, unless the question has images it cannot read (<c>Models:Chat:Vision</c>).</summary>
    public static IRoutedTurn Plan(IChatModelProvider models, RoutingContext context)
    {
        if (context.ImageCount > 0 && !models.Options.ReadsImages)
        {
            return new UnroutedTurn(new ModelPlan([], "images: the platform model does not read images")
            {
                RefusalMessage = "This message has images, but the model that answers here cannot read images. Send the text alone, "
                    + "or ask an administrator to set up a vision-capable model.",
                RefusalCode = TurnErrorCodes.NoVisionModel,
            });
        }
        return new UnroutedTurn(new ModelPlan([new ModelCandidate(models.Primary.Name, models.Primary, models.Options.Vision)], "configured model"));
    }

    /// <inheritdoc />
    public Task<SummaryModelChoice> ChooseSummaryModelAsync(string tenantId, string foldId, int promptTokens, int maxOutputTokens) =>
        Task.FromResult(SummaryModelChoice.Unbudgeted(tenantId, foldId, models.Primary.Name, models.Primary));

    /// <inheritdoc />
    public Task<decimal> SummaryFinishedAsync(SummaryModelChoice choice, ModelUsage? usage) => Task.FromResult(0m);
}

/// <summary>No knowledge base (the default until the knowledge feature is added): a turn searches nothing and says nothing about searching.</summary>
internal sealed class NoKnowledgeRetriever : IKnowledgeRetriever
{
    /// <inheritdoc />
    public Task<RetrievalResult> RetrieveAsync(string tenantId, string userId, string question, int topK, CancellationToken cancellationToken = default) =>
        Task.FromResult(RetrievalResult.Empty);

    /// <inheritdoc />
    public Task<KnowledgeChunk?> ReadPassageAsync(string tenantId, string userId, string documentId, int chunkIndex, CancellationToken cancellationToken = default) =>
        Task.FromResult<KnowledgeChunk?>(null);
}

/// <summary>A turn the router holds nothing for (no routing policy): its calls cost nothing here.</summary>
internal sealed class UnroutedTurn(ModelPlan plan) : IRoutedTurn
{
    /// <inheritdoc />
    public ModelPlan Plan => plan;

    /// <inheritdoc />
    public Task<TurnCost> FinishAsync(IReadOnlyList<ModelAttempt> attempts, string? modelId, TurnUsage usage, string answer, bool completed) =>
        Task.FromResult(TurnCost.Free(attempts.Count));
}
