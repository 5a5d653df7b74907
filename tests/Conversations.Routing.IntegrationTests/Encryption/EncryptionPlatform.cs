namespace Conversations.Routing.IntegrationTests.Encryption;

/// <summary>
/// A platform process with a master key file of its own (so a rotation touches no other test's hosts), a short key
/// cache, and "localhost" on the personal-data allowlist, on the test model server.
/// </summary>
public sealed class EncryptionPlatform() : ModelPlatformHost("crypt", OperatorKey)
{
    /// <summary>The operator key of the process.</summary>
    public const string OperatorKey = "cvk_cryptop_encryption-operator-secret";

    /// <summary>The process's master key file.</summary>
    public string MasterKeyFile { get; } = Path.Combine(Path.GetTempPath(), "conversations-tests", $"crypt-{Guid.NewGuid():n}.key");

    /// <inheritdoc />
    protected override TestModelOptions ModelOptions => new()
    {
        Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(10), TimePerToken = TimeSpan.FromMilliseconds(1) },
    };

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Encryption__MasterKeyFile"] = MasterKeyFile;
        environment["Encryption__KeyCacheSeconds"] = "1";
        // The test server answers at 127.0.0.1 and at localhost: only the second name is trusted with personal data.
        environment["Chat__PersonalDataAllowedHosts__0"] = "localhost";
        ShortTimings.Apply(environment);
    }

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(MasterKeyFile);
    }
}

/// <summary>The encryption tests, one at a time on their own process.</summary>
[CollectionDefinition(Name)]
public sealed class EncryptionCollection : ICollectionFixture<EncryptionPlatform>
{
    /// <summary>The collection name.</summary>
    public const string Name = "encryption-platform";
}

/// <summary>A test class of the <see cref="EncryptionCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(EncryptionCollection.Name)]
public abstract class EncryptionTests;
