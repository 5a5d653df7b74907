using Conversations.Contracts.Audit;
using Conversations.Contracts.DataRights;
using Conversations.Contracts.Encryption;
using Conversations.Storage.Audit;
using Conversations.Storage.Encryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Conversations.Hosting.Encryption;

/// <summary>Wires encryption at rest: the key provider, the tenants' key ring, and sealed grain storage.</summary>
public static class EncryptionServiceCollectionExtensions
{
    /// <summary>Registers the key provider (the local key file unless one was registered before), the key ring and the operator's key controls.</summary>
    public static IServiceCollection AddEncryptionAtRest(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(EncryptionOptions.Section).Get<EncryptionOptions>() ?? new EncryptionOptions();
        if (options.KeyCacheSeconds < 0) throw new InvalidOperationException("Encryption:KeyCacheSeconds cannot be negative.");
        services.TryAddSingleton(options);
        // A KMS adapter registers its own IKeyProvider before this call.
        services.TryAddSingleton<IKeyProvider>(_ => new LocalFileKeyProvider(options.MasterKeyFile));
        services.TryAddSingleton<TenantKeyRing>();
        services.TryAddSingleton<ITenantDataKeys, TenantDataKeys>();
        // A tenant's deletion destroys its data key first: what is left of its rows in the live database stays unreadable.
        services.Replace(ServiceDescriptor.Singleton<ITenantDataErasure, TenantKeyErasure>());
        return services;
    }

    /// <summary>
    /// Grain storage <paramref name="name"/> that seals tenants' grain state (unless <paramref name="seal"/> is off),
    /// writes admin changes' audit entries with them, and keeps it in <paramref name="innerName"/>.
    /// </summary>
    public static IServiceCollection AddSealedGrainStorage(this IServiceCollection services, string name, string innerName, bool seal = true)
    {
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new SealedGrainStorage(
            sp.GetRequiredKeyedService<IGrainStorage>(innerName), sp.GetRequiredService<TenantKeyRing>(), sp.GetRequiredService<IGrainStorageSerializer>(),
            sp.GetRequiredService<Conversations.Storage.Audit.AuditStore>(), sp.GetRequiredService<ILogger<SealedGrainStorage>>(), seal));
        return services;
    }
}

/// <summary>The operator's key controls over the key ring.</summary>
internal sealed class TenantDataKeys(TenantKeyRing ring) : ITenantDataKeys
{
    /// <inheritdoc />
    public Task<(string MasterKeyId, int Rewrapped)> RotateMasterAsync(CancellationToken ct = default) => ring.RotateMasterAsync(ct);

    /// <inheritdoc />
    public Task<bool> DestroyAsync(string tenantId, CancellationToken ct = default) =>
        // The operator's request is audited in the platform's trail, in the destruction's transaction (nothing sealed:
        // the tenant's key is what goes).
        ring.DestroyAsync(tenantId, AuditedRequest.Current is { } r
            ? new AuditWrite(r.TenantId, new AuditWho(r.KeyId, r.UserId, r.ClientAddress), r.Action, r.Target, null,
                new System.Text.Json.Nodes.JsonObject { ["tenantId"] = tenantId, ["destroyed"] = true })
            : null, ct);

    /// <inheritdoc />
    public Task<TenantDataKeyInfo?> DescribeAsync(string tenantId, CancellationToken ct = default) => ring.DescribeAsync(tenantId, ct);
}

/// <summary>The tenant deletion's key steps: the data key is destroyed before the rows go, and its record removed after them.</summary>
internal sealed class TenantKeyErasure(TenantKeyRing ring) : ITenantDataErasure
{
    /// <inheritdoc />
    public async Task EraseTenantKeysAsync(string tenantId, CancellationToken ct) => await ring.DestroyAsync(tenantId, ct: ct);

    /// <inheritdoc />
    public Task ForgetTenantKeysAsync(string tenantId, CancellationToken ct) => ring.ForgetAsync(tenantId, ct);
}
