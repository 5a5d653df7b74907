namespace Conversations.TestModel.Control;

/// <summary>The /control endpoints: change behaviour, inject faults, read the request log and counters from outside.</summary>
internal static class ControlApi
{
    /// <summary>Maps the control endpoints onto the server.</summary>
    public static void MapControlApi(this IEndpointRouteBuilder app, ServerRuntime runtime)
    {
        var control = runtime.Control;
        var group = app.MapGroup("/control");

        group.MapGet("/models", () => new ControlState(control.Default, control.Models));
        group.MapMethods("/default", ["PUT", "POST"], (ModelBehavior behavior) =>
        {
            control.Default = behavior;
            return Results.NoContent();
        });
        group.MapMethods("/models/{name}", ["PUT", "POST"], (string name, ModelBehavior behavior) =>
        {
            control.SetModel(name, behavior);
            return Results.NoContent();
        });
        group.MapGet("/models/{name}", (string name) => control.GetBehavior(name));
        group.MapDelete("/models/{name}", (string name) => control.RemoveModel(name) ? Results.NoContent() : Results.NotFound());
        group.MapMethods("/models/{name}/fault", ["PUT", "POST"], (string name, FaultRule fault) =>
        {
            control.SetFault(name, fault);
            return Results.NoContent();
        });
        group.MapDelete("/models/{name}/fault", (string name) =>
        {
            control.ClearFault(name);
            return Results.NoContent();
        });

        group.MapGet("/requests", (string? model, int? take) =>
        {
            IEnumerable<RecordedRequest> requests = runtime.Log.Snapshot();
            if (model is not null)
            {
                requests = requests.Where(request => request.Model == model);
            }

            var list = requests.ToList();
            return take is > 0 && list.Count > take ? list[^take.Value..] : list;
        });
        group.MapDelete("/requests", () =>
        {
            runtime.Log.Clear();
            return Results.NoContent();
        });
        group.MapGet("/counters", () => new CountersReport(
            runtime.Counters.Total.Snapshot(), runtime.Counters.SnapshotPerModel(), runtime.Counters.EmbeddingRequests));
        group.MapPost("/reset", () =>
        {
            control.Reset();
            return Results.NoContent();
        });
    }
}
