using Conversations.Grains.Drift;
using Conversations.Grains.Knowledge;
using Conversations.Models.Chat;
using Conversations.Prompting.Summaries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Chat;

/// <summary>Wires the chat turn into a silo.</summary>
public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the chat turn (sections <c>Chat</c> and <c>Models:Chat</c>): the model client, the summarizer, the turn's
    /// <see cref="ChatPipeline"/>, and pass-through defaults for the optional stages, which <c>AddModeration</c>,
    /// <c>AddModelRouting</c> and <c>AddKnowledge</c> replace (before or after this call). Needs the platform services.
    /// </summary>
    public static IServiceCollection AddChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.Section));
        services.AddOptions<ChatModelOptions>().Bind(configuration.GetSection(ChatModelOptions.Section))
            .Validate(o => o.FirstTokenTimeout > TimeSpan.Zero && o.StallTimeout > TimeSpan.Zero, "Models:Chat timeouts must be positive.")
            .Validate(o => string.IsNullOrWhiteSpace(o.Endpoint) || Uri.IsWellFormedUriString(o.Endpoint, UriKind.Absolute), "Models:Chat:Endpoint must be an absolute URL (include /v1).")
            .ValidateOnStart();
        services.AddSingleton<IChatModelProvider, ChatModelProvider>();
        services.AddSingleton<ModelSummarizer>();
        services.AddSingleton<IConversationSummarizer>(sp => sp.GetRequiredService<ModelSummarizer>());
        services.TryAddSingleton<ITurnModeration, PassThroughModeration>();
        services.TryAddSingleton<ITurnRouter, SingleModelRouter>();
        services.TryAddSingleton<IKnowledgeRetriever, NoKnowledgeRetriever>();
        services.TryAddQuestionEmbeddings();
        services.AddSingleton<DriftSamples>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DriftSamples>());
        services.AddSingleton<ChatPipeline>();
        return services;
    }

    /// <summary>No embedding model for questions (the default until the knowledge feature is added); for each feature that embeds them.</summary>
    internal static IServiceCollection TryAddQuestionEmbeddings(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new QuestionEmbeddings(null, sp.GetRequiredService<IOptions<ChatOptions>>()));
        return services;
    }
}
