using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The API host reaches the platform through the contracts: grain interfaces and the services they define.</summary>
public sealed class ApiBoundaryTests
{
    // The one hosting call: the platform (silo or client) wired into the API host, and its telemetry switch.
    private static readonly string[] HostingCall =
    [
        "Conversations.Hosting.HostingExtensions",
        "Conversations.Hosting.Telemetry.TelemetryServiceCollectionExtensions",
    ];

    [Fact(DisplayName = "The API assembly uses no type of Grains, Storage or Hosting but the hosting call, and builds no store from the data source")]
    public void Api_uses_only_the_contracts()
    {
        var used = ReferencedTypes(typeof(ApiSetup).Assembly.Location);
        Assert.Contains("Conversations.Contracts.Tenancy.ITenantDirectory", used); // the reader sees the API's references
        var reaching = used.Where(n => n.StartsWith("Conversations.Grains.", StringComparison.Ordinal)
            || n.StartsWith("Conversations.Storage.", StringComparison.Ordinal) || n.StartsWith("Conversations.Hosting.", StringComparison.Ordinal)
            || n == "Npgsql.NpgsqlDataSource");
        Assert.Empty(reaching.Except(HostingCall));
    }

    private static HashSet<string> ReferencedTypes(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        return md.TypeReferences.Select(h => FullName(md, h)).ToHashSet(StringComparer.Ordinal);
    }

    private static string FullName(MetadataReader md, TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        var name = md.GetString(type.Name);
        // A nested type's scope is its declaring type.
        if (type.ResolutionScope.Kind == HandleKind.TypeReference) return FullName(md, (TypeReferenceHandle)type.ResolutionScope) + "+" + name;
        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
