namespace Conversations.IntegrationTests.Cluster;

/// <summary>
/// What the process-level drills set up alike: a scratch database, the settings of a fresh cluster on it (with an
/// operator key of its own) and, when asked, a test model server as the platform model. The host processes are the
/// test's own (it kills and restarts them); the database and the model go with this.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private ProcessCluster(string name, TestDatabase database, TestModelServer? model)
    {
        Name = name;
        Database = database;
        Model = model;
        OperatorKey = $"cvk_{name}op_{name}-operator-{Guid.NewGuid():n}";
        Settings = new PlatformProcess.Settings(database.ConnectionString, name + "-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment = { ["Bootstrap__OperatorKey"] = OperatorKey },
        };
        if (model is null) return;
        Settings.Environment["Models__Chat__Endpoint"] = model.BaseUrl;
        Settings.Environment["Models__Chat__ModelId"] = "test-model";
    }

    /// <summary>The database and cluster name prefix.</summary>
    public string Name { get; }

    /// <summary>The operator key the processes bootstrap.</summary>
    public string OperatorKey { get; }

    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; }

    /// <summary>The settings every process of this cluster starts with.</summary>
    public PlatformProcess.Settings Settings { get; }

    /// <summary>The platform model, when the cluster was created with a model behaviour.</summary>
    public TestModelServer? Model { get; }

    /// <summary>Creates the database (on <paramref name="serverConnectionString"/>, the shared server by default) and, for <paramref name="model"/>, the model server.</summary>
    public static async Task<ProcessCluster> CreateAsync(string name, ModelBehavior? model = null, string? serverConnectionString = null)
    {
        var database = await TestDatabase.CreateAsync(name, serverConnectionString ?? TestDatabase.ServerConnectionString);
        var server = model is null ? null : await TestModelServer.StartAsync(new TestModelOptions { Default = model });
        return new ProcessCluster(name, database, server);
    }

    /// <summary>Settings of this cluster for a host in <paramref name="zone"/>.</summary>
    public PlatformProcess.Settings Zoned(string zone) =>
        Settings with { Environment = new(Settings.Environment) { ["Orleans__Metadata__zone"] = zone } };

    /// <summary>Starts a silo (in <paramref name="zone"/>, when given) on free ports, or on <paramref name="siloPort"/>.</summary>
    public Task<PlatformProcess> StartSiloAsync(string? zone = null, int? siloPort = null) =>
        PlatformProcess.StartSiloAsync(zone is null ? Settings : Zoned(zone), siloPort);

    /// <summary>Starts an API host in client mode (no silo of its own) that joins this cluster's silos, those of <paramref name="zone"/> when given.</summary>
    public Task<PlatformProcess> StartClientApiAsync(string? zone = null) =>
        PlatformProcess.StartApiAsync(zone is null ? Settings : Zoned(zone), mode: "client");

    /// <summary>Creates a tenant through the operator and returns the key of its new user "alice".</summary>
    public async Task<string> NewUserKeyAsync(PlatformProcess api, string tenant, bool raiseRateLimits = false)
    {
        using var op = new ApiClient(api.BaseUrl!, OperatorKey);
        using var admin = new ApiClient(api.BaseUrl!, await op.CreateTenantAsync(tenant));
        if (raiseRateLimits) await admin.RaiseRateLimitsAsync();
        return await admin.CreateUserWithKeyAsync("alice");
    }

    /// <summary>A client of a new tenant's user "alice" on <paramref name="api"/> (the caller disposes it).</summary>
    public async Task<ApiClient> NewUserAsync(PlatformProcess api, string tenant) => new(api.BaseUrl!, await NewUserKeyAsync(api, tenant));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Model is not null) await Model.DisposeAsync();
        await Database.DisposeAsync();
    }
}
