namespace Conversations.Testing;

/// <summary>Fresh ids, so tests sharing a platform or a cluster never meet each other's data.</summary>
public static class TestIds
{
    /// <summary>A tenant id of 20 characters starting with <paramref name="prefix"/>.</summary>
    public static string Tenant(string prefix) => $"{prefix}-{Guid.NewGuid():n}"[..20];
}
