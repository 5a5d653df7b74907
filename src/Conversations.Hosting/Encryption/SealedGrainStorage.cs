using System.Text.RegularExpressions;
using Conversations.Storage.Encryption;
using Orleans.Storage;

namespace Conversations.Hosting.Encryption;

/// <summary>
/// Grain storage that seals the state of every tenant-keyed grain (key <c>{tenant}</c> or <c>{tenant}/...</c>) with the
/// tenant's data key before the inner storage writes it: summaries, memory facts, provider credentials and settings
/// never reach the database in plaintext. Platform grains (<c>_platform/...</c>) pass through unchanged.
/// </summary>
internal sealed partial class SealedGrainStorage(IGrainStorage inner, TenantKeyRing keys, IGrainStorageSerializer serializer) : IGrainStorage
{
    private const string Table = "grain-state";

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (TenantOf(grainId) is not { } tenant)
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
        var key = await keys.ForTenantAsync(tenant);
        var plain = serializer.Serialize(grainState.State);
        var envelope = new GrainState<SealedGrainState>(
            new SealedGrainState { Payload = key.SealBytes(plain.ToMemory().Span, Table, Row(stateName, grainId)) }, grainState.ETag)
        { RecordExists = grainState.RecordExists };
        await inner.WriteStateAsync(stateName, grainId, envelope);
        grainState.ETag = envelope.ETag;
        grainState.RecordExists = envelope.RecordExists;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (TenantOf(grainId) is null)
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

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex TenantId();
}

/// <summary>What the inner storage holds for a tenant's grain: the sealed state.</summary>
[GenerateSerializer, Alias("SealedGrainState")]
public sealed class SealedGrainState
{
    /// <summary>version | nonce | tag | ciphertext of the serialized state.</summary>
    [Id(0)] public byte[]? Payload { get; set; }
}
