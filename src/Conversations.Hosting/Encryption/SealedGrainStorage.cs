using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conversations.Contracts.Audit;
using Conversations.Storage.Audit;
using Conversations.Storage.Encryption;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Conversations.Hosting.Encryption;

/// <summary>
/// Grain storage that seals the state of every tenant-keyed grain (key <c>{tenant}</c> or <c>{tenant}/...</c>) with the
/// tenant's data key before the inner storage writes it: summaries, memory facts, provider credentials and settings
/// never reach the database in plaintext. Platform grains (<c>_platform/...</c>) pass through unchanged.
/// A write made for an admin request (<see cref="AuditedRequest.Current"/>) to one of the <see cref="AuditedStates"/>
/// carries its audit entry in the envelope; the database's write function inserts it in the same statement
/// (sql/0013), so the change and its entry commit together or not at all. With <paramref name="seal"/> off (state
/// written as builds before sealing did) there is no envelope, and the entry is appended right after the write.
/// </summary>
internal sealed partial class SealedGrainStorage(
    IGrainStorage inner, TenantKeyRing keys, IGrainStorageSerializer serializer, AuditStore audit, ILogger<SealedGrainStorage> logger,
    bool seal = true) : IGrainStorage
{
    private const string Table = "grain-state";
    // Rows read unsealed, each logged once per process (a grain that is only read would log on every activation).
    private readonly ConcurrentDictionary<string, byte> _unsealedRows = new(StringComparer.Ordinal);

    /// <summary>The grain states that hold what tenant admins change: settings, ACL, routing, moderation settings, budget, canary.</summary>
    public static readonly IReadOnlySet<string> AuditedStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "tenant", "tenant-acl", "routing-config", "moderation-settings", "budget", "canary",
    };

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (TenantOf(grainId) is not { } tenant || !seal)
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
            return;
        }
        var key = await keys.ForTenantAsync(tenant);
        var envelope = new GrainState<SealedGrainState>(new SealedGrainState());
        try
        {
            await inner.ReadStateAsync(stateName, grainId, envelope);
        }
        catch (Exception e) when (e is not Npgsql.NpgsqlException and not TimeoutException)
        {
            // State written before sealing: read it as it is; the next write seals it.
            await inner.ReadStateAsync(stateName, grainId, grainState);
            return;
        }
        if (envelope.RecordExists && envelope.State?.Payload is not { Length: > 0 })
        {
            // A stored row without a payload is state written before sealing was on: a sealed write always has one (a
            // clear leaves no record), and no grain state has a Payload of its own. Read it as it is; the next write seals it.
            if (_unsealedRows.TryAdd(Row(stateName, grainId), 0)) LogUnsealed(logger, stateName, grainId.ToString());
            await inner.ReadStateAsync(stateName, grainId, grainState);
            return;
        }
        grainState.ETag = envelope.ETag;
        grainState.RecordExists = envelope.RecordExists;
        if (envelope.State?.Payload is { Length: > 0 } payload)
            grainState.State = serializer.Deserialize<T>(new BinaryData(key.OpenBytes(payload, Table, Row(stateName, grainId))));
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (TenantOf(grainId) is not { } tenant)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }
        var entry = await AuditEntryAsync(tenant, stateName, grainId, grainState);
        if (!seal)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            if (entry is not null) await audit.AppendAsync(entry);
            return;
        }
        var key = await keys.ForTenantAsync(tenant);
        var plain = serializer.Serialize(grainState.State);
        var envelope = new GrainState<SealedGrainState>(
            new SealedGrainState
            {
                Payload = key.SealBytes(plain.ToMemory().Span, Table, Row(stateName, grainId)),
                PendingAudit = entry is null ? null : AuditStore.ToRowJson(entry),
            }, grainState.ETag)
        { RecordExists = grainState.RecordExists };
        await inner.WriteStateAsync(stateName, grainId, envelope);
        grainState.ETag = envelope.ETag;
        grainState.RecordExists = envelope.RecordExists;
    }

    // The entry of an admin request's change to an audited state: what the request asked, and what changed in the
    // state (before: as stored now, after: as written), secrets hidden and large values as their digest.
    private async Task<AuditWrite?> AuditEntryAsync<T>(string tenant, string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!AuditedStates.Contains(stateName) || AuditedRequest.Current is not { } request || !request.Covers(tenant)) return null;
        JsonNode? before = null;
        if (grainState.RecordExists)
        {
            var stored = new GrainState<T>();
            await ReadStateAsync(stateName, grainId, stored);
            before = stored.RecordExists ? AuditJson.Snapshot(stored.State, typeof(T)) : null;
        }
        return await audit.ChangeEntryAsync(request, tenant, before, AuditJson.Snapshot(grainState.State, typeof(T)));
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (TenantOf(grainId) is null || !seal)
        {
            await inner.ClearStateAsync(stateName, grainId, grainState);
            return;
        }
        var envelope = new GrainState<SealedGrainState>(new SealedGrainState(), grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.ClearStateAsync(stateName, grainId, envelope);
        grainState.ETag = envelope.ETag;
        grainState.RecordExists = envelope.RecordExists;
    }

    /// <summary>The tenant a grain belongs to, or null for platform grains.</summary>
    internal static string? TenantOf(GrainId grainId)
    {
        var key = grainId.Key.ToString() ?? "";
        var slash = key.IndexOf('/');
        var first = slash < 0 ? key : key[..slash];
        return TenantId().IsMatch(first) ? first : null;
    }

    private static string Row(string stateName, GrainId grainId) => $"{grainId}/{stateName}";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}\\z")]
    private static partial Regex TenantId();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain state {StateName} of {GrainId} was stored unsealed (before sealing was on); read as it is, sealed on its next write")]
    private static partial void LogUnsealed(ILogger logger, string stateName, string grainId);
}

/// <summary>What the inner storage holds for a tenant's grain: the sealed state.</summary>
[GenerateSerializer, Alias("SealedGrainState")]
public sealed class SealedGrainState
{
    /// <summary>version | nonce | tag | ciphertext of the serialized state.</summary>
    [Id(0)] public byte[]? Payload { get; set; }

    /// <summary>
    /// The audit entry of this write (a JSON text named by audit_log's columns), or null. The database's write function
    /// inserts it and stores the envelope without it.
    /// </summary>
    [Id(1)] public string? PendingAudit { get; set; }
}
