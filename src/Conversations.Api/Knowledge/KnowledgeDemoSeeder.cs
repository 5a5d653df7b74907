using Conversations.Contracts;
using Conversations.Contracts.Knowledge;
using Conversations.Storage.Tenancy;

namespace Conversations.Api.Knowledge;

/// <summary>
/// Seeds the demo tenant's knowledge base when <c>Bootstrap:DemoEnabled</c> is true: users bob (manager) and carol
/// (director) with fixed local keys, the staff ⊂ manager ⊂ director roles, and the handbook and compensation plans.
/// Idempotent: the ACL is only written when it differs, and unchanged documents are skipped by their content hash.
/// Started from the route mapping once the host has started, after the bootstrap created the demo tenant.
/// </summary>
public static partial class KnowledgeDemoSeeder
{
    /// <summary>Local demo key of bob, a manager.</summary>
    public const string ManagerKey = "cvk_demobob_local-demo-manager-secret";
    /// <summary>Local demo key of carol, a director.</summary>
    public const string DirectorKey = "cvk_democarol_local-demo-director-secret";

    /// <summary>Runs the seeding in the background once the host has started, when the demo is enabled.</summary>
    public static void StartWhenEnabled(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        if (!configuration.GetValue<bool>("Bootstrap:DemoEnabled")) return;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(() => RunAsync(services, configuration, lifetime.ApplicationStopping)));
    }

    /// <summary>Completes when the demo knowledge base is seeded (tests wait on it).</summary>
    public static Task Seeded => SeededSource.Task;

    private static readonly TaskCompletionSource SeededSource = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task RunAsync(IServiceProvider services, IConfiguration configuration, CancellationToken ct)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KnowledgeDemoSeeder));
        try
        {
            await SeedAsync(services, configuration["Bootstrap:DemoTenantId"] ?? "demo", ct);
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
    public static async Task SeedAsync(IServiceProvider services, string tenant, CancellationToken ct)
    {
        var store = services.GetRequiredService<TenancyStore>();
        var grains = services.GetRequiredService<IGrainFactory>();
        // The bootstrap creates the tenant on the same start signal; wait for it rather than race it.
        for (var i = 0; await store.GetTenantAsync(tenant, ct) is null; i++)
        {
            if (i == 120) throw new InvalidOperationException($"Demo tenant '{tenant}' did not appear.");
            await Task.Delay(500, ct);
        }
        await store.CreateUserAsync(tenant, "bob", "Bob (manager)", Roles.User, ct);
        await store.CreateUserAsync(tenant, "carol", "Carol (director)", Roles.User, ct);
        await store.EnsureKeyAsync(ManagerKey, tenant, "bob", Roles.User, ct);
        await store.EnsureKeyAsync(DirectorKey, tenant, "carol", Roles.User, ct);

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
