namespace Conversations.Routing.Endpoints;

/// <summary>What an IP address is, as far as calling it from the platform goes.</summary>
public enum AddressKind
{
    /// <summary>A public unicast address.</summary>
    Public = 0,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918), fec0::/10.</summary>
    Private,

    /// <summary>169.254.0.0/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>100.64.0.0/10 (RFC 6598, carrier-grade NAT).</summary>
    SharedAddressSpace,

    /// <summary>fc00::/7 (RFC 4193).</summary>
    UniqueLocal,

    /// <summary>0.0.0.0/8, :: (on Linux, connecting to 0.0.0.0 reaches this machine).</summary>
    Unspecified,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>240.0.0.0/4, 192.0.0.0/24, 198.18.0.0/15, 100::/64.</summary>
    Reserved,

    /// <summary>A cloud instance-metadata service (169.254.169.254, fd00:ec2::254, 100.100.100.200, ...).</summary>
    CloudMetadata,
}
