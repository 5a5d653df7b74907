namespace Conversations.IntegrationTests.Grains;

/// <summary>Grain tests sharing one test cluster on a scratch database (the kit's <see cref="GrainClusterFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class GrainCollection : ICollectionFixture<GrainClusterFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "grains";
}
