using Conversations.Contracts.Audit;
using Conversations.Contracts.Batches;
using Conversations.Contracts.Chat;
using Conversations.Contracts.DataRights;
using Conversations.Contracts.Drift;
using Conversations.Contracts.Feedback;
using Conversations.Contracts.Health;
using Conversations.Contracts.Moderation;
using Conversations.Contracts.Routing;
using Conversations.Contracts.Tenancy;
using Conversations.Contracts.Usage;
using Conversations.Grains.DataRights;
using Conversations.Grains.Evaluation;
using Conversations.Storage.Audit;
using Conversations.Storage.Chat;
using Conversations.Storage.DataRights;
using Conversations.Storage.Drift;
using Conversations.Storage.Moderation;
using Conversations.Storage.Routing;
using Conversations.Storage.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Conversations.Grains.ReadServices;

/// <summary>Wires the services the API's handlers use besides grains.</summary>
public static class ApiReadServiceExtensions
{
    /// <summary>
    /// Adds the contracts' host services (key lookup, tenant directory, conversation list, moderation events, feedback, usage,
    /// batch results, model health, database probe) over the stores they read; an API host in client mode has no silo to register those
    /// stores, so they are added here when missing. Needs the data source and a grain factory.
    /// </summary>
    public static IServiceCollection AddApiReadServices(this IServiceCollection services)
    {
        services.TryAddSingleton<TenancyStore>();
        services.TryAddSingleton<ConversationStore>();
        services.TryAddSingleton<ModerationEventStore>();
        services.TryAddSingleton<RoutingStore>();
        services.TryAddSingleton<BatchStore>();
        services.TryAddSingleton<FeedbackSummaryStore>();
        services.TryAddSingleton<IApiKeyLookup, ApiKeyLookup>();
        services.TryAddSingleton<ITenantDirectory, TenantDirectory>();
        services.TryAddSingleton<IConversationList, ConversationList>();
        services.TryAddSingleton<IModerationEventLog, ModerationEventLog>();
        services.TryAddSingleton<IFeedbackLog, FeedbackLog>();
        services.TryAddSingleton<DriftEventStore>();
        services.TryAddSingleton<IDriftEventLog>(sp => sp.GetRequiredService<DriftEventStore>());
        services.TryAddSingleton<IUsageReports, UsageReports>();
        services.TryAddSingleton<IBatchResults, BatchResults>();
        services.TryAddSingleton<IModelHealthReport, ModelHealthReport>();
        services.TryAddSingleton<IDatabaseProbe, DatabaseProbe>();
        // Audit log, key lifecycle, exports and deletions; ITenantDataErasure is where a tenant's data key is destroyed.
        services.TryAddSingleton<AuditStore>();
        services.TryAddSingleton<KeyLifecycleStore>();
        services.TryAddSingleton<DataRightsStore>();
        services.TryAddSingleton<IAuditLog, AuditLog>();
        services.TryAddSingleton<IKeyLifecycle, KeyLifecycle>();
        services.TryAddSingleton<ITenantDataErasure, NoTenantDataKeys>();
        services.AddOptions<DataRightsOptions>().BindConfiguration(DataRightsOptions.Section)
            .Validate(o => o.ArchivePartBytes is >= 64 * 1024 and <= 64 * 1024 * 1024, "DataRights:ArchivePartBytes must be between 64 KiB and 64 MiB.")
            .ValidateOnStart();
        services.TryAddSingleton<IDataRights, DataRightsService>();
        services.TryAddSingleton<CorsOriginStore>();
        services.TryAddSingleton<ITenantCorsOrigins, TenantCorsOrigins>();
        services.AddEvaluations();
        return services;
    }
}
