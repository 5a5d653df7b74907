using System.Net;
using System.Net.Sockets;

namespace Conversations.Routing.Endpoints;

/// <summary>Sorts IP addresses into <see cref="AddressKind"/>s; IPv6 forms that embed an IPv4 address are judged by that address.</summary>
internal static class AddressRules
{
    // Instance-metadata services: AWS (IPv4, IPv6, ECS task), GCP, Azure, Oracle; Alibaba Cloud; Azure's wire server.
    private static readonly IPAddress[] Metadata =
    [
        IPAddress.Parse("169.254.169.254"), IPAddress.Parse("169.254.170.2"), IPAddress.Parse("fd00:ec2::254"),
        IPAddress.Parse("100.100.100.200"), IPAddress.Parse("168.63.129.16"),
    ];

    /// <summary>Host names of metadata services (they resolve to the addresses above inside their clouds).</summary>
    public static readonly IReadOnlyList<string> MetadataHosts = ["metadata.google.internal", "metadata.goog", "metadata"];

    /// <summary>What <paramref name="address"/> is.</summary>
    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) return Classify(address.MapToIPv4());
        if (Metadata.Any(m => m.Equals(WithoutScope(address)))) return AddressKind.CloudMetadata;
        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(address.GetAddressBytes()) : ClassifyV6(address.GetAddressBytes());
    }

    /// <summary>How a message names <paramref name="kind"/>.</summary>
    public static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private (RFC 1918)",
        AddressKind.LinkLocal => "link-local",
        AddressKind.SharedAddressSpace => "shared address space (100.64.0.0/10, carrier-grade NAT)",
        AddressKind.UniqueLocal => "unique local (fc00::/7)",
        AddressKind.Unspecified => "unspecified",
        AddressKind.Multicast => "multicast",
        AddressKind.Broadcast => "broadcast",
        AddressKind.Reserved => "reserved",
        AddressKind.CloudMetadata => "a cloud metadata service",
        _ => "public",
    };

    private static AddressKind ClassifyV4(byte[] b) => (b[0], b[1]) switch
    {
        (0, _) => AddressKind.Unspecified,
        (127, _) => AddressKind.Loopback,
        (10, _) or (192, 168) => AddressKind.Private,
        (172, >= 16 and <= 31) => AddressKind.Private,
        (100, >= 64 and <= 127) => AddressKind.SharedAddressSpace,
        (169, 254) => AddressKind.LinkLocal,
        (192, 0) when b[2] == 0 => AddressKind.Reserved,
        (198, 18 or 19) => AddressKind.Reserved,
        (255, 255) when b[2] == 255 && b[3] == 255 => AddressKind.Broadcast,
        ( >= 224 and <= 239, _) => AddressKind.Multicast,
        ( >= 240, _) => AddressKind.Reserved,
        _ => AddressKind.Public,
    };

    private static AddressKind ClassifyV6(byte[] b)
    {
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0) return b[15] switch { 0 => AddressKind.Unspecified, 1 => AddressKind.Loopback, _ => ClassifyV4(b[12..]) };
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return ClassifyV4(b[12..]); // IPv4-compatible ::a.b.c.d
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return ClassifyV4(b[12..]); // NAT64 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(b[2..6]); // 6to4 2002::/16
        if (b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0) return AddressKind.Reserved; // discard 100::/64
        if ((b[0] & 0xfe) == 0xfc) return AddressKind.UniqueLocal;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressKind.LinkLocal;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressKind.Private; // site-local, deprecated
        if (b[0] == 0xff) return AddressKind.Multicast;
        return AddressKind.Public;
    }

    private static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
}
