using Orleans.TestingHost;

namespace Conversations.Knowledge.Tests.Infrastructure;

/// <summary>
/// A one-silo test cluster wired as the hosts wire it, with the knowledge feature (<c>AddKnowledge</c>), on a scratch
/// database: the ACL and knowledge-base grains, the retriever and the store. Tests use their own tenants.
/// </summary>
public sealed class KnowledgeCluster : GrainClusterFixture
{
    /// <summary>Creates a tenant with an admin; returns the admin's key.</summary>
    public Task<string> CreateTenantAsync(string tenantId) => Database.CreateTenantAsync(tenantId);

    /// <inheritdoc />
    protected override short InitialSilos => 1;

    /// <inheritdoc />
    protected override string? DatabasePrefix => "kbgrain";

    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder)
    {
        base.Configure(builder);
        // The tests drive re-embedding batch by batch through the grain; no background pass runs between their steps.
        builder.Properties["Knowledge:ReembedEnabled"] = "false";
        builder.AddSiloBuilderConfigurator<KnowledgeSilo>();
    }

    private sealed class KnowledgeSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.Services.AddKnowledge(silo.Configuration);
    }
}

/// <summary>
/// Every test that needs PostgreSQL runs in this one collection, one at a time, as with one host before: the grain and
/// retrieval tests on the <see cref="KnowledgeCluster"/>, the API tests on the <see cref="KnowledgeApp"/> process.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<KnowledgeCluster>, ICollectionFixture<KnowledgeApp>
{
    /// <summary>The collection name.</summary>
    public const string Name = "postgres";
}

/// <summary>A test class of the <see cref="PostgresCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(PostgresCollection.Name)]
public abstract class PostgresTests;
