using Conversations.Hosting;
using Conversations.Hosting.Encryption;
using Newtonsoft.Json.Linq;
using Orleans.Storage;

namespace Conversations.IntegrationTests.Grains;

/// <summary>Grain state stored before sealing was on (a long-used database) is read as it is, and sealed on its next write.</summary>
[Collection(GrainCollection.Name)]
public sealed class UnsealedGrainStateTests(GrainClusterFixture fx)
{
    [Fact(DisplayName = "A tenant's settings stored unsealed in PostgreSQL are read as they are, and their next write seals them")]
    public async Task Unsealed_state_reads_and_is_sealed_on_write()
    {
        var tenant = "unsealed-" + Guid.NewGuid().ToString("n")[..8];
        await using (var db = fx.Database.CreateDataSource()) await new TenancyStore(db).CreateTenantAsync(tenant, tenant);
        var grain = fx.Grains.GetGrain<ITenantGrain>(tenant);
        var grainId = grain.GetGrainId();
        // Written by the inner (ADO.NET) storage without sealing: a plain JSON row in the grain-state table, without a
        // type name (a JSON object is written as it is), so it also reads as an envelope, one without a payload.
        var rows = fx.Services.GetRequiredKeyedService<IGrainStorage>(HostingExtensions.GrainStorageName + "-rows");
        var plain = JObject.FromObject(new { Instructions = "Stored plain.", Version = 3 });
        await rows.WriteStateAsync("tenant", grainId, new GrainState<JObject>(plain));

        var read = await grain.GetSettingsAsync();
        Assert.Equal("Stored plain.", read.Instructions);
        Assert.Equal(3, read.Version);
        Assert.Null((await ReadEnvelopeAsync(rows, grainId)).Payload);

        await grain.UpdateSettingsAsync(new TenantSettingsPatch { Instructions = "Sealed now." });
        Assert.NotNull((await ReadEnvelopeAsync(rows, grainId)).Payload);
        var sealedRow = new GrainState<TenantSettings>();
        await fx.Services.GetRequiredKeyedService<IGrainStorage>(HostingExtensions.GrainStorageName).ReadStateAsync("tenant", grainId, sealedRow);
        var opened = Assert.IsType<TenantSettings>(sealedRow.State);
        Assert.Equal("Sealed now.", opened.Instructions);
        Assert.Equal(4, opened.Version);
    }

    private static async Task<SealedGrainState> ReadEnvelopeAsync(IGrainStorage rows, GrainId grainId)
    {
        var envelope = new GrainState<SealedGrainState>(new SealedGrainState());
        await rows.ReadStateAsync("tenant", grainId, envelope);
        return envelope.State ?? new SealedGrainState();
    }
}
