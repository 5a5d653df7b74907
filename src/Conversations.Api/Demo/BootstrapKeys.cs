using Conversations.Contracts;
using Conversations.Contracts.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Demo;

/// <summary>Stores the configured operator and demo keys once the host has started, then prints how to use them.</summary>
internal sealed class BootstrapKeys(
    IOptions<BootstrapOptions> options, ITenantDirectory directory, IGrainFactory grains, IServer server,
    IHostApplicationLifetime lifetime, ILogger<BootstrapKeys> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait for the silo and Kestrel to be up, so the printed URL is real.
        await HostStart.WhenStartedAsync(lifetime, stoppingToken);

        var o = options.Value;
        // The configured operator key is the operator key: a changed secret, or another key id, takes the earlier one's place.
        if (!string.IsNullOrEmpty(o.OperatorKey) && await directory.ConfigureOperatorKeyAsync(o.OperatorKey, stoppingToken) is > 0 and var replaced)
            logger.LogWarning("The configured operator key replaced {Count} earlier operator key(s); they no longer work.", replaced);
        if (!o.DemoEnabled) return;

        var tenant = o.DemoTenantId;
        if (await directory.CreateTenantAsync(tenant, "Demo Company", stoppingToken))
            await grains.GetGrain<ITenantGrain>(tenant).UpdateSettingsAsync(new TenantSettingsPatch
            {
                Name = "Demo Company",
                Instructions = "You help the staff of Demo Company with questions about their work, the handbook and company policies.",
                StarterQuestions = ["How many vacation days do I get?", "How are travel expenses reimbursed?", "Summarize my compensation plan."],
            });
        await directory.CreateUserAsync(tenant, "admin", "Demo Admin", Roles.TenantAdmin, stoppingToken);
        await directory.CreateUserAsync(tenant, "alice", "Alice", Roles.User, stoppingToken);
        if (!string.IsNullOrEmpty(o.DemoAdminKey)) await directory.EnsureKeyAsync(o.DemoAdminKey, tenant, "admin", Roles.TenantAdmin, stoppingToken);
        if (!string.IsNullOrEmpty(o.DemoUserKey)) await directory.EnsureKeyAsync(o.DemoUserKey, tenant, "alice", Roles.User, stoppingToken);

        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        logger.LogInformation(
            """

            ==== Conversations is running ====
              Web page:        {Url}/
              Admin console:   {Url}/admin/  (sign in with the admin or operator key)
              OpenAPI:         {Url}/openapi/v1.json
              Demo tenant:     {Tenant}
              User key (alice): {UserKey}
              Admin key:       {AdminKey}
              Operator key:    {OperatorKey}
              Try:  curl -s -X POST {Url}/v1/conversations -H "Authorization: Bearer {UserKey}" -H "Content-Type: application/json" -d '{{"title":"hello"}}'
            ==================================
            """, url, url, url, tenant, o.DemoUserKey, o.DemoAdminKey, o.OperatorKey, url, o.DemoUserKey);
    }
}
