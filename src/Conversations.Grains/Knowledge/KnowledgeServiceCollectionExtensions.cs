using Conversations.Models.Embeddings;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

using Conversations.Storage.Encryption;

namespace Conversations.Grains.Knowledge;

/// <summary>Wires the knowledge base into a silo: embeddings, store, ingestion, retrieval.</summary>
public static class KnowledgeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the embedding model (<c>Models:Embeddings</c>), the knowledge store of its dimension, ingestion and
    /// <see cref="IKnowledgeRetriever"/>; needs the platform services (data source, token counter) registered too.
    /// </summary>
    public static IServiceCollection AddKnowledge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KnowledgeOptions>().Bind(configuration.GetSection(KnowledgeOptions.Section))
            .Validate(o => o.ChunkMaxTokens >= 8 && o.ChunkOverlapTokens >= 0 && o.ChunkOverlapTokens < o.ChunkMaxTokens / 2,
                "Knowledge:ChunkMaxTokens must be at least 8 and ChunkOverlapTokens less than half of it.")
            .Validate(o => o.ReembedBatchChunks is >= 1 and <= 1000 && o.ReembedPause >= TimeSpan.Zero && o.ReembedScanInterval > TimeSpan.Zero,
                "Knowledge:ReembedBatchChunks must be 1..1000, ReembedPause not negative and ReembedScanInterval positive.")
            .Validate(o => o.ExactScanMaxRows >= 0 && o.ExactScanMaxShare is >= 0 and <= 1 && o.BaseEfSearch is >= 1 and <= 1000,
                "Knowledge plan thresholds are out of range.")
            .ValidateOnStart();
        var embeddingOptions = configuration.GetSection(EmbeddingOptions.Section).Get<EmbeddingOptions>() ?? new EmbeddingOptions();
        embeddingOptions.Validate();
        services.TryAddSingleton(TimeProvider.System);
        // The local model loads lazily, on the first upload or question.
        services.AddSingleton(_ => EmbeddingModel.Create(embeddingOptions));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<EmbeddingModel>().Generator);
        // Replaces the chat wiring's default without a model: the turn path embeds questions with this one.
        services.Replace(ServiceDescriptor.Singleton(sp => new QuestionEmbeddings(sp.GetRequiredService<EmbeddingModel>(), sp.GetRequiredService<IOptions<Chat.ChatOptions>>())));
        // The store writes and searches the configured model's vectors; chunks of an earlier model are re-embedded in the background.
        services.AddSingleton(sp =>
        {
            var model = sp.GetRequiredService<EmbeddingModel>();
            return new KnowledgeStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TenantKeyRing>(), model.Dimensions, model.ModelId);
        });
        services.AddSingleton<LabelChunkCounts>();
        services.AddSingleton<KnowledgeIngestion>();
        services.AddSingleton<KnowledgeReembedding>();
        services.AddHostedService<KnowledgeReembedService>();
        // Replaces the chat wiring's empty default.
        services.Replace(ServiceDescriptor.Singleton<IKnowledgeRetriever, KnowledgeRetriever>());
        services.AddHostedService<KnowledgeSchemaService>();
        return services;
    }
}

/// <summary>Makes sure the chunk table of the configured embedding dimension exists (after the migrations ran).</summary>
internal sealed class KnowledgeSchemaService(KnowledgeStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.EnsureSchemaAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
