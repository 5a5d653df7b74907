using Conversations.Grains.Chat;
using Conversations.Grains.Knowledge;
using Conversations.Grains.Moderation;
using Conversations.Grains.Moderation.Turn;
using Conversations.Grains.Routing;
using Conversations.Models.Embeddings;
using Conversations.Moderation.Moderators;
using Microsoft.Extensions.Configuration;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The chat wiring: a turn's optional stages default to pass-through, and each feature replaces its own, whatever the order of the calls.</summary>
public sealed class ChatWiringTests
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder().Build();

    [Fact(DisplayName = "Without its feature, each optional stage of a turn is the pass-through default, registered once")]
    public void Defaults_without_features()
    {
        var services = new ServiceCollection().AddChat(Configuration);

        Assert.Equal(typeof(PassThroughModeration), Registered<ITurnModeration>(services));
        Assert.Equal(typeof(SingleModelRouter), Registered<ITurnRouter>(services));
        Assert.Equal(typeof(NoKnowledgeRetriever), Registered<IKnowledgeRetriever>(services));
        Assert.Null(Embeddings(services).Model);
    }

    [Theory(DisplayName = "Each feature replaces its stage's default, added before or after the chat wiring")]
    [InlineData(true)]
    [InlineData(false)]
    public void Features_replace_defaults(bool chatFirst)
    {
        var services = new ServiceCollection();
        if (chatFirst) services.AddChat(Configuration);
        services.AddKnowledge(Configuration);
        services.AddModeration(Configuration);
        services.AddModelRouting(Configuration);
        if (!chatFirst) services.AddChat(Configuration);

        Assert.Equal(typeof(TurnModeration), Registered<ITurnModeration>(services));
        Assert.Equal(typeof(TurnRouter), Registered<ITurnRouter>(services));
        Assert.Equal(typeof(KnowledgeRetriever), Registered<IKnowledgeRetriever>(services));
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, Embeddings(services).Model?.ModelId);
    }

    [Fact(DisplayName = "The turn's moderation makes a text checker and an answer-window checker for each check, from the moderation feature's wiring")]
    public void Moderation_checkers_come_from_factories()
    {
        var services = new ServiceCollection().AddChat(Configuration).AddModeration(Configuration);
        using var provider = services.BuildServiceProvider();
        var text = provider.GetRequiredService<Func<IContentModerator>>();
        Assert.IsType<BuiltInContentModerator>(text());
        Assert.False(provider.GetRequiredService<Func<IOutputWindowModerator>>()().Enabled); // no Green configured
    }

    // How the turn path embeds questions: one registration, whatever the order of the AddXxx calls.
    private static QuestionEmbeddings Embeddings(IServiceCollection services)
    {
        Assert.Single(services, d => d.ServiceType == typeof(QuestionEmbeddings));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<QuestionEmbeddings>();
    }

    // The one registration of a stage (a second one would make the turn's stage depend on the order of the AddXxx calls).
    private static Type? Registered<T>(IServiceCollection services) =>
        Assert.Single(services, d => d.ServiceType == typeof(T)).ImplementationType;
}
