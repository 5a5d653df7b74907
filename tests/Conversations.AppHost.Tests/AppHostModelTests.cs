using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Conversations.AppHost.Tests;

/// <summary>The AppHost's resource model, built without starting anything: what runs, and what waits for what.</summary>
public sealed class AppHostModelTests
{
    [Fact]
    public async Task Default_model_starts_the_local_database_two_silos_and_the_api_host()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conversations_AppHost>();
        var resources = builder.Resources;

        Assert.IsType<ExecutableResource>(Single(resources, "database"));
        Assert.IsAssignableFrom<IResourceWithConnectionString>(Single(resources, "postgres"));
        var silos = resources.OfType<ProjectResource>().Where(r => r.Name.StartsWith("silo-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["silo-1", "silo-2"], silos.Select(s => s.Name).Order());
        foreach (var silo in silos)
        {
            Assert.Equal(["management", "orleans-gateway", "orleans-silo"], Endpoints(silo).Order());
            Assert.Contains("database", WaitsFor(silo));
        }
        Assert.Contains("silo-1", WaitsFor(Single(resources, "silo-2")));
        var api = Single(resources, "api");
        Assert.Equal(["silo-1", "silo-2"], WaitsFor(api).Order());
        Assert.Equal(8080, ((IResourceWithEndpoints)api).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port);
    }

    [Fact]
    public async Task Silos_setting_sizes_the_cluster_and_a_connection_string_replaces_the_local_database()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conversations_AppHost>(
            ["--Silos=3", "--ApiPort=8095", "--ConnectionStrings:Postgres=Host=db.example;Database=conversations"]);
        var resources = builder.Resources;

        Assert.DoesNotContain(resources, r => r.Name == "database");
        Assert.Equal(["silo-1", "silo-2", "silo-3"],
            resources.OfType<ProjectResource>().Select(r => r.Name).Where(n => n.StartsWith("silo-", StringComparison.Ordinal)).Order());
        Assert.Equal(["silo-1", "silo-2", "silo-3"], WaitsFor(Single(resources, "api")).Order());
        var postgres = (IResourceWithConnectionString)Single(resources, "postgres");
        Assert.Equal("Host=db.example;Database=conversations", await postgres.GetConnectionStringAsync());
    }

    [Fact]
    public async Task No_silos_is_refused_with_the_setting_named()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            DistributedApplicationTestingBuilder.CreateAsync<Projects.Conversations_AppHost>(["--Silos=0"]));
        Assert.Contains("Silos must be 1 or more", Flatten(error));
    }

    private static IResource Single(IResourceCollection resources, string name) => resources.Single(r => r.Name == name);

    private static IEnumerable<string> Endpoints(IResource resource) =>
        resource.Annotations.OfType<EndpointAnnotation>().Select(e => e.Name);

    private static IEnumerable<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

    private static string Flatten(Exception error) =>
        error.InnerException is { } inner ? $"{error.Message} {Flatten(inner)}" : error.Message;
}
