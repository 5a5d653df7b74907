namespace Conversations.Routing.Tests.Endpoints;

public sealed class AddressRulesTests
{
    // Public holds the neighbours just outside the refused ranges.
    public static TheoryData<string, AddressKind> Addresses => ByKind(
        (AddressKind.Public, ["8.8.8.8", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"]),
        (AddressKind.Loopback, ["127.0.0.1", "127.255.1.2", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"]),
        (AddressKind.Private, ["10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "::ffff:10.1.2.3"]),
        (AddressKind.SharedAddressSpace, ["100.64.0.1", "100.127.255.255"]),
        (AddressKind.LinkLocal, ["169.254.1.1", "fe80::1"]),
        (AddressKind.UniqueLocal, ["fc00::1", "fd12:3456::1"]),
        (AddressKind.Unspecified, ["0.0.0.0", "::"]),
        (AddressKind.Multicast, ["224.0.0.1", "ff02::1"]),
        (AddressKind.Broadcast, ["255.255.255.255"]),
        (AddressKind.Reserved, ["240.0.0.1"]),
        (AddressKind.CloudMetadata, ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "100.100.100.200"]));

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Addresses_are_classified(string address, AddressKind expected)
    {
        // Proves every refused range is recognised, including IPv6 forms that carry an IPv4 address.
        Assert.Equal(expected, AddressRules.Classify(IPAddress.Parse(address)));
    }

    private static TheoryData<string, AddressKind> ByKind(params (AddressKind Kind, string[] Addresses)[] kinds)
    {
        var cases = new TheoryData<string, AddressKind>();
        foreach (var (kind, addresses) in kinds)
            foreach (var address in addresses) cases.Add(address, kind);
        return cases;
    }
}
