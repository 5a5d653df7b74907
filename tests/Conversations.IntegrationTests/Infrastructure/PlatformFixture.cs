namespace Conversations.IntegrationTests.Infrastructure;

/// <summary>One real platform process (silo + API) on a scratch database, with the local extractive model, shared by a test collection.</summary>
public sealed class PlatformFixture() : PlatformHost("api", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_testoperator_integration-operator-secret";

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Chat__MaxMessageChars"] = "2000";
        environment["Api__MaxRequestBodyBytes"] = "65536";
    }
}

/// <summary>Tests sharing one platform process.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "platform";
}

/// <summary>A test class of the <see cref="PlatformCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(PlatformCollection.Name)]
public abstract class PlatformTests;
