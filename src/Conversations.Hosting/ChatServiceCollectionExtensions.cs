using Conversations.Grains.Chat;
using Conversations.Models.Chat;
using Conversations.Prompting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Conversations.Hosting;

/// <summary>Wires the chat turn's own services into a silo; the optional stages come with their features' <c>AddXxx</c>.</summary>
public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the chat options (section <c>Chat</c>), the configured model (<c>Models:Chat</c>, validated at start-up) and
    /// the summarizer that folds long conversations; needs the platform services too.
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
        return services;
    }
}
