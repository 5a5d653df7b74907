namespace Conversations.Testing.Platform;

/// <summary>A test's tenant: clients of its admin and of its user "alice", disposed together.</summary>
/// <param name="Admin">The tenant admin.</param>
/// <param name="User">The user "alice".</param>
public sealed record TenantClients(ApiClient Admin, ApiClient User) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Admin.Dispose();
        User.Dispose();
    }
}
