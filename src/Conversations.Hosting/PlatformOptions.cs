namespace Conversations.Hosting;

/// <summary>Configuration section <c>Orleans</c>: cluster identity and endpoints of this process.</summary>
internal sealed class OrleansHostOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Orleans";

    /// <summary>Cluster id; silos and clients of one deployment share it.</summary>
    public string ClusterId { get; set; } = "conversations";
    /// <summary>Service id; stable across deployments because grain state is keyed by it.</summary>
    public string ServiceId { get; set; } = "conversations";
    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;
    /// <summary>Address other silos and clients use to reach this one.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
    /// <summary>Listen on all interfaces (containers) instead of the advertised address only.</summary>
    public bool ListenOnAnyAddress { get; set; }
    /// <summary>Use fast failure detection (tests): a dead silo is declared in about a second.</summary>
    public bool FastFailureDetection { get; set; }
}
