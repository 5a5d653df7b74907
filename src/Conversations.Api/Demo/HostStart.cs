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
}
