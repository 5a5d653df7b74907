using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Conversations.Api.Demo;

/// <summary>
/// Configuration sections <c>Bootstrap</c> and <c>Demo</c>: the operator key from configuration, and (locally) a demo tenant
/// with an admin and a user whose keys are fixed by configuration and printed at start.
/// </summary>
public sealed class BootstrapOptions
{
    /// <summary>The operator key (<c>cvk_id_secret</c>); without one, no tenant can be created through the API.</summary>
    public string? OperatorKey { get; set; }
    /// <summary>Create the demo tenant at start.</summary>
    public bool DemoEnabled { get; set; }
    /// <summary>Demo tenant id.</summary>
    public string DemoTenantId { get; set; } = "demo";
    /// <summary>Key of the demo tenant's admin.</summary>
    public string? DemoAdminKey { get; set; }
    /// <summary>Key of the demo user "alice".</summary>
    public string? DemoUserKey { get; set; }
}

/// <summary>Stores the configured operator and demo keys once the host has started, then prints how to use them.</summary>
public sealed class BootstrapKeys(
    IConfiguration configuration, TenancyStore store, IGrainFactory grains, IServer server,
    IHostApplicationLifetime lifetime, ILogger<BootstrapKeys> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait for the silo and Kestrel to be up, so the printed URL is real.
        var started = new TaskCompletionSource();
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var o = configuration.GetSection("Bootstrap").Get<BootstrapOptions>() ?? new BootstrapOptions();
        if (!string.IsNullOrEmpty(o.OperatorKey)) await store.EnsureKeyAsync(o.OperatorKey, null, null, Roles.Operator, stoppingToken);
        if (!o.DemoEnabled) return;

        var tenant = o.DemoTenantId;
        if (await store.CreateTenantAsync(tenant, "Demo Company", stoppingToken))
            await grains.GetGrain<ITenantGrain>(tenant).UpdateSettingsAsync(new TenantSettingsPatch
            {
                Name = "Demo Company",
                Instructions = "You help the staff of Demo Company with questions about their work, the handbook and company policies.",
            });
        await store.CreateUserAsync(tenant, "admin", "Demo Admin", Roles.TenantAdmin, stoppingToken);
        await store.CreateUserAsync(tenant, "alice", "Alice", Roles.User, stoppingToken);
        if (!string.IsNullOrEmpty(o.DemoAdminKey)) await store.EnsureKeyAsync(o.DemoAdminKey, tenant, "admin", Roles.TenantAdmin, stoppingToken);
        if (!string.IsNullOrEmpty(o.DemoUserKey)) await store.EnsureKeyAsync(o.DemoUserKey, tenant, "alice", Roles.User, stoppingToken);

        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        logger.LogInformation(
            """

            ==== Conversations is running ====
              Web page:        {Url}/
              OpenAPI:         {Url}/openapi/v1.json
              Demo tenant:     {Tenant}
              User key (alice): {UserKey}
              Admin key:       {AdminKey}
              Operator key:    {OperatorKey}
              Try:  curl -s -X POST {Url}/v1/conversations -H "Authorization: Bearer {UserKey}" -H "Content-Type: application/json" -d '{{"title":"hello"}}'
            ==================================
            """, url, url, tenant, o.DemoUserKey, o.DemoAdminKey, o.OperatorKey, url, o.DemoUserKey);
    }
}
