using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Conversations.Api.Demo;
using Conversations.Contracts;
using Conversations.Storage.Tenancy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Conversations.Knowledge.Tests.Infrastructure;

/// <summary>
/// The real API host (silo in-process) on a scratch database, with free Orleans ports and its own cluster id, and the
/// demo tenant seeded. Shared by every PostgreSQL test; tests use their own tenants so they do not disturb each other.
/// </summary>
public sealed class KnowledgeApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Operator key of this host.</summary>
    public const string OperatorKey = "cvk_kbtestoperator_operator-secret";
    /// <summary>Demo admin key.</summary>
    public const string DemoAdminKey = "cvk_kbtestadmin_admin-secret";
    /// <summary>Demo user alice's key (staff).</summary>
    public const string AliceKey = "cvk_kbtestalice_alice-secret";

    private ScratchDatabase? _db;

    /// <summary>The scratch database.</summary>
    public ScratchDatabase Database => _db ?? throw new InvalidOperationException("Not started.");

    /// <summary>The silo's grain factory.</summary>
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _db = await ScratchDatabase.CreateAsync("kbtest");
        _ = Server; // starts the host
        await KnowledgeDemoSeeder.Seeded.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", Database.ConnectionString);
        builder.UseSetting("Hosting:Mode", "all");
        builder.UseSetting("Orleans:ClusterId", "kbtest-" + Guid.NewGuid().ToString("n")[..8]);
        builder.UseSetting("Orleans:SiloPort", FreePort().ToString());
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString());
        builder.UseSetting("Bootstrap:OperatorKey", OperatorKey);
        builder.UseSetting("Bootstrap:DemoEnabled", "true");
        builder.UseSetting("Bootstrap:DemoTenantId", "demo");
        builder.UseSetting("Bootstrap:DemoAdminKey", DemoAdminKey);
        builder.UseSetting("Bootstrap:DemoUserKey", AliceKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>An HTTP client that presents <paramref name="key"/>.</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a tenant with an admin; returns the admin's key.</summary>
    public async Task<string> CreateTenantAsync(string tenantId)
    {
        var store = Services.GetRequiredService<TenancyStore>();
        await store.CreateTenantAsync(tenantId, tenantId);
        await store.CreateUserAsync(tenantId, "admin", "Admin", Roles.TenantAdmin);
        return (await store.IssueKeyAsync(tenantId, "admin", Roles.TenantAdmin)).Key;
    }

    /// <summary>Creates a user of a tenant; returns the user's key.</summary>
    public async Task<string> CreateUserAsync(string tenantId, string userId)
    {
        var store = Services.GetRequiredService<TenancyStore>();
        await store.CreateUserAsync(tenantId, userId, userId, Roles.User);
        return (await store.IssueKeyAsync(tenantId, userId, Roles.User)).Key;
    }

    /// <summary>A fresh tenant id.</summary>
    public static string NewTenantId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("n")[..10]}";

    /// <inheritdoc />
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>Every test that needs PostgreSQL shares one <see cref="KnowledgeApp"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<KnowledgeApp>
{
    /// <summary>The collection name.</summary>
    public const string Name = "postgres";
}
