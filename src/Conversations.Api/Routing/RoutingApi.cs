using Conversations.Api.Routing;

namespace Conversations.Api;

/// <summary>Every route of the model-routing feature.</summary>
public static class RoutingApi
{
    /// <summary>Maps routing admin, usage, feedback, batches and the capacity estimator under <c>/v1</c>.</summary>
    public static RouteGroupBuilder MapRoutingApi(this RouteGroupBuilder v1)
    {
        v1.MapRoutingAdminApi();
        v1.MapUsageApi();
        v1.MapFeedbackApi();
        v1.MapBatchApi();
        v1.MapCapacityApi();
        return v1;
    }
}
