namespace Conversations.IntegrationTests.Cluster;

/// <summary>What the process-level cluster tests set up alike: a fresh cluster's settings and a user of a new tenant.</summary>
internal static class ClusterProcesses
{
    /// <summary>Settings for a fresh cluster id on the database that bootstrap the given operator key.</summary>
    public static PlatformProcess.Settings Settings(TestDatabase db, string name, string operatorKey) =>
        new(db.ConnectionString, name + "-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment = { ["Bootstrap__OperatorKey"] = operatorKey },
        };

    /// <summary>Creates a tenant through the operator and returns the key of its new user "alice".</summary>
    public static async Task<string> NewUserKeyAsync(string baseUrl, string operatorKey, string tenant)
    {
        using var op = new ApiClient(baseUrl, operatorKey);
        using var admin = new ApiClient(baseUrl, await op.CreateTenantAsync(tenant));
        return await admin.CreateUserWithKeyAsync("alice");
    }
}
