using System.Collections.Concurrent;

namespace Conversations.Testing.Platform;

/// <summary>
/// One real platform process (the API with its silo) on a scratch database, shared by the tests of a collection or a
/// class: the one way HTTP tests host the platform. A project's fixture names it, sets its configuration and starts
/// the outside servers it talks to (test model servers) before it.
/// </summary>
/// <param name="name">Prefix of the database and cluster names, e.g. "api".</param>
/// <param name="operatorKey">The operator key the process is started with.</param>
public abstract class PlatformHost(string name, string operatorKey) : IAsyncLifetime
{
    /// <summary>The scratch database.</summary>
    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The running platform.</summary>
    public PlatformProcess Platform { get; private set; } = null!;

    /// <summary>The database and cluster the process runs on: another host process started with them joins the same cluster.</summary>
    public PlatformProcess.Settings Settings { get; private set; } = null!;

    /// <summary>Base URL of the API.</summary>
    public string BaseUrl => Platform.BaseUrl!;

    /// <summary>A client acting with <paramref name="key"/> (or none).</summary>
    public ApiClient As(string? key) => new(BaseUrl, key);

    /// <summary>A client acting with the operator key.</summary>
    public ApiClient Operator() => As(operatorKey);

    /// <summary>Creates a tenant with an admin and a user "alice"; returns their keys.</summary>
    public async Task<(string AdminKey, string UserKey)> NewTenantKeysAsync(string prefix = "t")
    {
        using var op = Operator();
        var adminKey = await op.CreateTenantAsync(TestIds.Tenant(prefix));
        using var admin = As(adminKey);
        return (adminKey, await admin.CreateUserWithKeyAsync("alice"));
    }

    /// <summary>
    /// Creates a tenant with an admin and a user "alice"; returns their clients, which the host disposes when it stops
    /// (so a test can take them apart in one line), or the test sooner.
    /// </summary>
    public async Task<TenantClients> NewTenantAsync(string prefix = "t")
    {
        var (adminKey, userKey) = await NewTenantKeysAsync(prefix);
        return Keep(new TenantClients(As(adminKey), As(userKey)));
    }

    /// <summary>As <see cref="NewTenantAsync"/>, with the tenant's rate limits lifted: for tests that send many turns.</summary>
    public async Task<TenantClients> NewUnlimitedTenantAsync(string prefix = "t")
    {
        var tenant = await NewTenantAsync(prefix);
        await tenant.Admin.RaiseRateLimitsAsync();
        return tenant;
    }

    /// <summary>
    /// Creates a tenant with an admin and a user "alice", and a conversation of alice's (titled <paramref name="title"/>):
    /// the set-up most chat tests open with. The host disposes the clients when it stops.
    /// </summary>
    public async Task<TenantConversation> NewConversationAsync(string prefix = "t", string title = "test")
    {
        var (admin, user) = await NewTenantAsync(prefix);
        return new TenantConversation(admin, user, await user.CreateConversationAsync(title));
    }

    /// <summary>Creates a tenant and returns a client of its admin (the caller disposes it).</summary>
    public async Task<ApiClient> NewAdminAsync(string prefix = "t") => As((await NewTenantKeysAsync(prefix)).AdminKey);

    /// <summary>Creates a tenant and returns a client of its user "alice" (the caller disposes it).</summary>
    public async Task<ApiClient> NewUserAsync(string prefix = "t") => As((await NewTenantKeysAsync(prefix)).UserKey);

    // Clients handed out for a whole test; a collection's tests run one at a time, but a test may start several at once.
    private readonly ConcurrentBag<IDisposable> _testClients = [];

    private T Keep<T>(T client) where T : IDisposable
    {
        _testClients.Add(client);
        return client;
    }

    /// <summary>Sets the process's configuration (keys with __); the operator key is set already.</summary>
    protected abstract void Configure(IDictionary<string, string> environment);

    /// <summary>The API's port, chosen before <see cref="Configure"/> so settings can name the platform's own address.</summary>
    protected int ApiPort { get; } = PlatformProcess.FreePort();

    /// <summary>Starts what the platform talks to, before the platform starts.</summary>
    protected virtual Task StartServersAsync() => Task.CompletedTask;

    /// <summary>Waits for what the platform does after it answers (demo seeding).</summary>
    protected virtual Task PlatformStartedAsync() => Task.CompletedTask;

    /// <summary>Stops what <see cref="StartServersAsync"/> started, after the platform stopped.</summary>
    protected virtual Task StopServersAsync() => Task.CompletedTask;

    /// <summary>Polls <paramref name="ready"/> for up to two minutes; fails with the process's output when it never holds.</summary>
    protected async Task WaitUntilAsync(string what, Func<Task<bool>> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await ready())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen in time:\n{Platform.Log}");
            await Task.Delay(250);
        }
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await StartServersAsync();
        Database = await TestDatabase.CreateAsync(name);
        var settings = Settings = new PlatformProcess.Settings(Database.ConnectionString, $"{name}-{Guid.NewGuid():n}"[..(name.Length + 9)]);
        settings.Environment["Bootstrap__OperatorKey"] = operatorKey;
        Configure(settings.Environment);
        Platform = await PlatformProcess.StartApiAsync(settings, httpPort: ApiPort);
        await PlatformStartedAsync();
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var client in _testClients) client.Dispose();
        if (Platform is not null) await Platform.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
        await StopServersAsync();
    }
}
