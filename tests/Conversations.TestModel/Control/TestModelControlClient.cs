namespace Conversations.TestModel.Control;

/// <summary>Drives a test model server in another process through its /control endpoints.</summary>
/// <param name="http">A client whose BaseAddress is the server's root (without /v1), e.g. http://127.0.0.1:5099/.</param>
public sealed class TestModelControlClient(HttpClient http)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = ControlJson.Options;

    /// <summary>Gives a model name its own behaviour.</summary>
    public async Task SetModelAsync(string model, ModelBehavior behavior, CancellationToken cancellationToken = default) =>
        (await http.PutAsJsonAsync($"control/models/{Uri.EscapeDataString(model)}", behavior, Json, cancellationToken))
            .EnsureSuccessStatusCode();

    /// <summary>Sets the behaviour of model names without their own.</summary>
    public async Task SetDefaultAsync(ModelBehavior behavior, CancellationToken cancellationToken = default) =>
        (await http.PutAsJsonAsync("control/default", behavior, Json, cancellationToken)).EnsureSuccessStatusCode();

    /// <summary>Makes the model name follow the default again.</summary>
    public async Task RemoveModelAsync(string model, CancellationToken cancellationToken = default) =>
        await http.DeleteAsync($"control/models/{Uri.EscapeDataString(model)}", cancellationToken);

    /// <summary>Injects a fault into a model's requests.</summary>
    public async Task SetFaultAsync(string model, FaultRule fault, CancellationToken cancellationToken = default) =>
        (await http.PutAsJsonAsync($"control/models/{Uri.EscapeDataString(model)}/fault", fault, Json, cancellationToken))
            .EnsureSuccessStatusCode();

    /// <summary>Clears a model's fault.</summary>
    public async Task ClearFaultAsync(string model, CancellationToken cancellationToken = default) =>
        (await http.DeleteAsync($"control/models/{Uri.EscapeDataString(model)}/fault", cancellationToken)).EnsureSuccessStatusCode();

    /// <summary>The recorded chat requests, oldest first, optionally of one model and only the last <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> GetRequestsAsync(string? model = null, int? take = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(2);
        if (model is not null)
        {
            query.Add("model=" + Uri.EscapeDataString(model));
        }

        if (take is not null)
        {
            query.Add("take=" + take.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var path = query.Count == 0 ? "control/requests" : "control/requests?" + string.Join('&', query);
        return await http.GetFromJsonAsync<List<RecordedRequest>>(path, Json, cancellationToken) ?? [];
    }

    /// <summary>Empties the request log.</summary>
    public async Task ClearRequestsAsync(CancellationToken cancellationToken = default) =>
        (await http.DeleteAsync("control/requests", cancellationToken)).EnsureSuccessStatusCode();

    /// <summary>Totals and per-model counters.</summary>
    public async Task<CountersReport> GetCountersAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<CountersReport>("control/counters", Json, cancellationToken)
            ?? throw new InvalidOperationException("The server sent no counters.");

    /// <summary>Back to the start-up behaviours; forgets prompt caches, the request log and counters.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default) =>
        (await http.PostAsync("control/reset", null, cancellationToken)).EnsureSuccessStatusCode();
}
