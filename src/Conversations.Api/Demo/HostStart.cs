using Conversations.Contracts.Tenancy;

namespace Conversations.Api.Demo;

/// <summary>The start signal the demo services wait for: the silo (or client) and Kestrel are up.</summary>
internal static class HostStart
{
    /// <summary>Completes once the host has started; cancelled when it stops first.</summary>
    public static async Task WhenStartedAsync(IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }

    /// <summary>Completes once the demo tenant exists: the bootstrap creates it on the same start signal, so the seeders wait for it rather than race it.</summary>
    public static async Task WhenTenantExistsAsync(ITenantDirectory directory, string tenant, CancellationToken ct)
    {
        for (var i = 0; !await directory.TenantExistsAsync(tenant, ct); i++)
        {
            if (i == 120) throw new InvalidOperationException($"Demo tenant '{tenant}' did not appear.");
            await Task.Delay(500, ct);
        }
    }
}
