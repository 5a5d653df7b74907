namespace Conversations.Storage.Encryption;

/// <summary>
/// Holds the master key that wraps every tenant's data key; the master itself never leaves it. The default is a local
/// key file (<see cref="LocalFileKeyProvider"/>); a KMS adapter implements the same three calls against its service
/// (wrap = Encrypt with the tenant id as encryption context, unwrap = Decrypt, rotate = a new key version).
/// </summary>
public interface IKeyProvider
{
    /// <summary>Id of the master key new wraps use.</summary>
    string CurrentMasterKeyId { get; }

    /// <summary>Wraps a tenant's data key with the current master; the result names the master that wrapped it.</summary>
    ValueTask<byte[]> WrapAsync(string tenantId, byte[] dataKey, CancellationToken ct = default);

    /// <summary>Unwraps a data key wrapped by <see cref="WrapAsync"/> under any master this provider still holds.</summary>
    ValueTask<byte[]> UnwrapAsync(string tenantId, byte[] wrapped, CancellationToken ct = default);

    /// <summary>Makes a new master current (older ones stay, to unwrap keys not yet re-wrapped); returns its id.</summary>
    ValueTask<string> RotateMasterAsync(CancellationToken ct = default);
}
