using Npgsql;
using Orleans.Messaging;

namespace Conversations.Hosting.Zones;

/// <summary>
/// An API host's gateway list: the clustering provider's gateways, narrowed to the active silos of the host's own zone
/// when there are any (read from the silo names in the membership table, see <see cref="SiloZones"/>), else all of
/// them. Requests then enter the cluster in their own zone, and the conversation grains they create are placed there.
/// When the zone's last gateway goes, the next refresh (seconds) returns every other zone's.
/// </summary>
internal sealed class ZoneGatewayListProvider(IGatewayListProvider inner, string zone, string clusterId, NpgsqlDataSource db) : IGatewayListProvider
{
    /// <inheritdoc />
    public TimeSpan MaxStaleness => inner.MaxStaleness;

#pragma warning disable CS0618 // still part of the interface in Orleans 10, though no longer read
    /// <inheritdoc />
    public bool IsUpdatable => inner.IsUpdatable;
#pragma warning restore CS0618

    /// <inheritdoc />
    public Task InitializeGatewayListProvider() => inner.InitializeGatewayListProvider();

    /// <inheritdoc />
    public async Task<IList<Uri>> GetGateways()
    {
        var all = await inner.GetGateways();
        HashSet<(string Host, int Port)> local;
        try
        {
            local = await OwnZoneGatewaysAsync();
        }
        catch (NpgsqlException)
        {
            return all; // the table is unreachable now: any gateway beats none
        }
        var mine = all.Where(u => local.Contains((u.Host, u.Port))).ToList();
        return mine.Count > 0 ? mine : all;
    }

    private async Task<HashSet<(string, int)>> OwnZoneGatewaysAsync()
    {
        await using var cmd = db.CreateCommand(
            "SELECT address, proxy_port, silo_name FROM orleans_membership WHERE deployment_id = $1 AND status = 3 AND proxy_port > 0");
        cmd.Parameters.AddWithValue(clusterId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var set = new HashSet<(string, int)>();
        while (await reader.ReadAsync())
            if (SiloZones.FromSiloName(reader.GetString(2)) == zone) set.Add((reader.GetString(0), reader.GetInt32(1)));
        return set;
    }
}
