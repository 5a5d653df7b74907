namespace Conversations.Contracts.Encryption;

/// <summary>The tenant's data key was destroyed (crypto-shredded): its stored data can no longer be read or written.</summary>
[GenerateSerializer, Alias("TenantDataUnreadableException")]
public sealed class TenantDataUnreadableException : Exception
{
    /// <summary>Creates the exception for <paramref name="tenantId"/>.</summary>
    public TenantDataUnreadableException(string tenantId)
        : base($"The data of tenant '{tenantId}' was destroyed with its key and can no longer be read.") => TenantId = tenantId;

    /// <summary>The tenant whose key was destroyed.</summary>
    [Id(0)] public string TenantId { get; private set; }
}
