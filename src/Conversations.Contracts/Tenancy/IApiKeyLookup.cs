namespace Conversations.Contracts.Tenancy;

/// <summary>What a valid API key stands for; operator keys carry no tenant or user.</summary>
/// <remarks><see cref="Scope"/> narrows the role (see <see cref="KeyScopes"/>); null: all the role allows.</remarks>
public sealed record ApiKeyOwner(string KeyId, string? TenantId, string? UserId, string Role, string? Scope = null);

/// <summary>Resolves presented API keys. A host service over the key table (no grain call on the hot path).</summary>
public interface IApiKeyLookup
{
    /// <summary>The owner of <paramref name="key"/>, or null when it is unknown, revoked or malformed.</summary>
    Task<ApiKeyOwner?> ResolveAsync(string key, CancellationToken ct);

    /// <summary>Records that the keys were used at <paramref name="at"/> (shown as "last used" in key listings).</summary>
    Task RecordUseAsync(IReadOnlyCollection<string> keyIds, DateTimeOffset at, CancellationToken ct);
}
