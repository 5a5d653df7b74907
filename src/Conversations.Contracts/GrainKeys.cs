namespace Conversations.Contracts;

/// <summary>Builds and parses grain keys; every key starts with the tenant id so no grain is shared across tenants.</summary>
public static class GrainKeys
{
    /// <summary>Key of a grain scoped to one entity of a tenant: <c>{tenant}/{id}</c>.</summary>
    public static string Scoped(string tenantId, string id) => $"{tenantId}/{id}";

    /// <summary>Splits a scoped key back into tenant and entity id.</summary>
    public static (string TenantId, string Id) Split(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
            throw new ArgumentException($"Grain key '{key}' is not of the form tenant/id.", nameof(key));
        return (key[..slash], key[(slash + 1)..]);
    }
}
