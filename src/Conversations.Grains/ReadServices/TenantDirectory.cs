using System.Text.Json.Nodes;
using Conversations.Contracts;
using Conversations.Contracts.Audit;
using Conversations.Contracts.Tenancy;
using Conversations.Storage.Audit;
using Conversations.Storage.Encryption;
using Conversations.Storage.Tenancy;
using Microsoft.Extensions.Logging;

namespace Conversations.Grains.ReadServices;

/// <summary>Tenants, users and keys in the tenancy tables; the tenant's settings in its grain.</summary>
/// <remarks>A host without encryption at rest registers no <see cref="EncryptionOptions"/>; the default key cache time then applies.</remarks>
internal sealed class TenantDirectory(TenancyStore store, AuditStore audit, IGrainFactory grains, ILogger<TenantDirectory> logger, EncryptionOptions? encryption = null) : ITenantDirectory
{
    // A tenant created again under a deleted one's id waits until no process can still hold the deleted tenant's data
    // key in its cache (its cache time, and a second for clocks and the deletion's own last step).
    private readonly TimeSpan _settleTime = TimeSpan.FromSeconds((encryption?.KeyCacheSeconds ?? EncryptionOptions.DefaultKeyCacheSeconds) + 1);

    /// <inheritdoc />
    public async Task<IssuedKey?> OpenTenantAsync(string tenantId, string name, string adminUserId, CancellationToken ct)
    {
        // An operator's request is audited in the platform's trail (the id is replaced there if the tenant is deleted).
        var entry = AuditedRequest.Current is { } request
            ? new AuditWrite(null, new AuditWho(request.KeyId, request.UserId, request.ClientAddress), request.Action, request.Target, null,
                new JsonObject { ["request"] = AuditJson.BoundedText(request.Request), ["state"] = new JsonObject { ["tenantId"] = tenantId, ["name"] = name, ["adminUserId"] = adminUserId } })
            : null;
        // Tenant, admin and key in one transaction: a failure leaves nothing, so the operator's retry creates it (a tenant
        // left without a shown admin key could only be deleted and made again).
        if (await store.OpenTenantAsync(tenantId, name, adminUserId, "Administrator", entry, _settleTime, ct) is not { } key) return null;
        await NameTenantAsync(tenantId, name);
        return new IssuedKey(key.KeyId, key.Key, adminUserId, Roles.TenantAdmin);
    }

    // The name the prompt and the pages show lives in the tenant's settings. The tenant exists once the transaction has
    // committed and its key must reach the operator, so a failed write is tried again and then left to the admin (the
    // name stays in the tenant list; the pages show the id until it is set).
    private async Task NameTenantAsync(string tenantId, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<ITenantGrain>(tenantId).UpdateSettingsAsync(new TenantSettingsPatch { Name = name });
                return;
            }
            catch (Exception e) when (attempt < 3 && e is not ArgumentException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                logger.LogWarning(e, "Tenant {TenantId} was created but its name could not be stored in its settings", tenantId);
                return;
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> CreateTenantAsync(string tenantId, string name, CancellationToken ct) => store.CreateTenantAsync(tenantId, name, ct: ct, settleTime: _settleTime);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TenantSummary>> ListTenantsAsync(string? afterTenantId, string? search, int limit, CancellationToken ct) =>
        (await store.ListTenantsAsync(afterTenantId, search, limit, ct)).Select(t => new TenantSummary(t.TenantId, t.Name, t.CreatedAt, t.Users)).ToList();

    /// <inheritdoc />
    public async Task<bool> TenantExistsAsync(string tenantId, CancellationToken ct) => await store.GetTenantAsync(tenantId, ct) is not null;

    /// <inheritdoc />
    public async Task<bool> CreateUserAsync(string tenantId, string userId, string displayName, string role, CancellationToken ct)
    {
        // An admin request's new user is audited in the insert's transaction.
        var entry = AuditedRequest.Current is { } request && request.Covers(tenantId)
            ? await audit.ChangeEntryAsync(request, tenantId, null, new JsonObject { ["userId"] = userId, ["displayName"] = displayName, ["role"] = role }, ct)
            : null;
        return await store.CreateUserAsync(tenantId, userId, displayName, role, entry, ct);
    }

    /// <inheritdoc />
    public async Task<TenantUser?> GetUserAsync(string tenantId, string userId, CancellationToken ct) =>
        await store.GetUserAsync(tenantId, userId, ct) is { } u ? ToUser(u) : null;

    /// <inheritdoc />
    public async Task<IReadOnlyList<TenantUser>> ListUsersAsync(string tenantId, string? afterUserId, int limit, CancellationToken ct) =>
        (await store.ListUsersAsync(tenantId, afterUserId, limit, ct)).Select(ToUser).ToList();

    /// <inheritdoc />
    public Task<IssuedKey?> IssueKeyAsync(string tenantId, string userId, CancellationToken ct) => IssueKeyAsync(tenantId, userId, null, ct);

    /// <inheritdoc />
    public async Task<IssuedKey?> IssueKeyAsync(string tenantId, string userId, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        if (await store.GetUserAsync(tenantId, userId, ct) is not { } user) return null;
        var key = await store.IssueKeyAsync(tenantId, user.UserId, user.Role, expiresAt, ct);
        return new IssuedKey(key.KeyId, key.Key, user.UserId, user.Role);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyInfo>?> ListKeysAsync(string tenantId, string userId, CancellationToken ct)
    {
        if (await store.GetUserAsync(tenantId, userId, ct) is null) return null;
        return (await store.ListKeysAsync(tenantId, userId, ct))
            .Select(k => new ApiKeyInfo(k.KeyId, k.UserId, k.Role, k.CreatedAt, k.LastUsedAt, k.ExpiresAt, k.Scope)).ToList();
    }

    /// <inheritdoc />
    public Task EnsureKeyAsync(string key, string? tenantId, string? userId, string role, CancellationToken ct) =>
        store.EnsureKeyAsync(key, tenantId, userId, role, ct);

    /// <inheritdoc />
    public Task<int> ConfigureOperatorKeyAsync(string key, CancellationToken ct) => store.ConfigureOperatorKeyAsync(key, ct);

    /// <inheritdoc />
    public Task<bool> IsKeyIdAsync(string tenantId, string id, CancellationToken ct) => store.IsKeyIdAsync(tenantId, id, ct);

    /// <inheritdoc />
    public Task<bool> RevokeKeyAsync(string tenantId, string keyId, CancellationToken ct) => store.RevokeKeyAsync(tenantId, keyId, ct);

    private static TenantUser ToUser(UserRecord u) => new(u.UserId, u.DisplayName, u.Role, u.CreatedAt);
}
