using Conversations.Contracts;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Tenancy;
using Microsoft.Extensions.Options;

namespace Conversations.Api.Demo;

/// <summary>
/// Seeds the demo tenant's knowledge base when <c>Bootstrap:DemoEnabled</c> is true: users bob (manager) and carol
/// (director) with fixed local keys, the staff ⊂ manager ⊂ director roles, and the handbook and compensation plans.
/// Idempotent: the ACL is only written when it differs, and unchanged documents are skipped by their content hash.
/// Runs once the host has started, after <see cref="BootstrapKeys"/> created the demo tenant.
/// </summary>
internal sealed partial class KnowledgeDemoSeeder(
    IOptions<BootstrapOptions> options, ITenantDirectory directory, IGrainFactory grains,
    IHostApplicationLifetime lifetime, ILogger<KnowledgeDemoSeeder> logger) : BackgroundService
{
    /// <summary>Local demo key of bob, a manager.</summary>
    public const string ManagerKey = "cvk_demobob_local-demo-manager-secret";
    /// <summary>Local demo key of carol, a director.</summary>
    public const string DirectorKey = "cvk_democarol_local-demo-director-secret";

    private static readonly TaskCompletionSource SeededSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the demo knowledge base is seeded (tests wait on it).</summary>
    public static Task Seeded => SeededSource.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DemoEnabled) return;
        await HostStart.WhenStartedAsync(lifetime, stoppingToken);
        try
        {
            await SeedAsync(options.Value.DemoTenantId, stoppingToken);
            LogSeeded(logger, ManagerKey, DirectorKey);
            SeededSource.TrySetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            SeededSource.TrySetException(e);
        }
    }

    /// <summary>Seeds one tenant (which must exist or be about to).</summary>
    public async Task SeedAsync(string tenant, CancellationToken ct)
    {
        await HostStart.WhenTenantExistsAsync(directory, tenant, ct);
        await directory.CreateUserAsync(tenant, "bob", "Bob (manager)", Roles.User, ct);
        await directory.CreateUserAsync(tenant, "carol", "Carol (director)", Roles.User, ct);
        await directory.EnsureKeyAsync(ManagerKey, tenant, "bob", Roles.User, ct);
        await directory.EnsureKeyAsync(DirectorKey, tenant, "carol", Roles.User, ct);

        var acl = grains.GetGrain<ITenantAclGrain>(tenant);
        var current = await acl.GetAsync();
        foreach (var role in DemoDocuments.Roles)
        {
            var have = current.Roles.FirstOrDefault(r => r.Name == role.Name);
            if (have is null || !have.Includes.Order().SequenceEqual(role.Includes.Order()) || !have.Labels.Order().SequenceEqual(role.Labels.Order()))
                await acl.PutRoleAsync(role);
        }
        foreach (var (user, role) in DemoDocuments.UserRoles)
            if (current.Users.FirstOrDefault(u => u.UserId == user) is not { Roles: [var only] } || only != role)
                await acl.SetUserRolesAsync(user, [role]);

        await foreach (var _ in grains.GetGrain<IKnowledgeBaseGrain>(tenant).IngestAsync(DemoDocuments.Documents, ct).WithCancellation(ct))
        {
            // Progress is not shown for four small documents.
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Demo knowledge base ready: roles staff ⊂ manager ⊂ director; alice = staff, bob = manager ({ManagerKey}), carol = director ({DirectorKey})")]
    private static partial void LogSeeded(ILogger logger, string managerKey, string directorKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the demo knowledge base failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
