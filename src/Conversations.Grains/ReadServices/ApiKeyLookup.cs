using Conversations.Contracts.Tenancy;
using Conversations.Storage.Tenancy;

namespace Conversations.Grains.ReadServices;

/// <summary>Resolves API keys against the key table.</summary>
internal sealed class ApiKeyLookup(TenancyStore store) : IApiKeyLookup
{
    /// <inheritdoc />
    public async Task<ApiKeyOwner?> ResolveAsync(string key, CancellationToken ct) =>
        await store.ResolveKeyAsync(key, ct) is { } id ? new ApiKeyOwner(id.KeyId, id.TenantId, id.UserId, id.Role, id.Scope) : null;

    /// <inheritdoc />
    public Task RecordUseAsync(IReadOnlyCollection<string> keyIds, DateTimeOffset at, CancellationToken ct) => store.RecordKeyUseAsync(keyIds, at, ct);
}
