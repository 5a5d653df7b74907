using Conversations.Contracts.Evaluation;
using Conversations.Storage.Evaluation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Conversations.Grains.Evaluation;

/// <summary>Wires evaluation sets, runs and the promotion gate.</summary>
public static class EvaluationServiceExtensions
{
    /// <summary>Adds the store, the default (deterministic) scorer unless one is registered, and <see cref="IEvaluations"/>.</summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        services.TryAddSingleton<EvaluationStore>();
        services.TryAddSingleton<IAnswerScorer, DeterministicScorer>();
        services.TryAddSingleton<IEvaluations, Evaluations>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
