namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>
/// One platform process for the data-security tests: loopback is a trusted proxy (so X-Forwarded-For and
/// X-Forwarded-Proto are honoured from the test), and anonymous and keyed requests have small rate limits.
/// </summary>
public sealed class DataSecurityFixture() : PlatformHost("dsec", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_dsecoperator_data-security-operator-secret";

    /// <summary>Anonymous requests per minute and address.</summary>
    public const int AnonymousPerMinute = 40;

    /// <summary>Made-up keys per minute and address before its keys are refused without a lookup (below the anonymous limit).</summary>
    public const int FailedKeysPerMinute = 20;

    /// <summary>Requests per minute and key.</summary>
    public const int PerKeyPerMinute = 100;

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        environment["Api__TrustedProxies"] = "127.0.0.1";
        environment["Api__RateLimit__AnonymousPerMinute"] = AnonymousPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Api__RateLimit__FailedKeysPerMinute"] = FailedKeysPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Api__RateLimit__PerKeyPerMinute"] = PerKeyPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["DataRights__ArchivePartBytes"] = ArchivePartBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Bytes of an export archive in one stored part (the smallest allowed, so a test's archive spans several).</summary>
    public const int ArchivePartBytes = 64 * 1024;
}

/// <summary>Tests sharing the data-security platform.</summary>
[CollectionDefinition(Name)]
public sealed class DataSecurityCollection : ICollectionFixture<DataSecurityFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "data-security";
}

/// <summary>A test class of the <see cref="DataSecurityCollection"/>: deriving from it is how a class joins the collection.</summary>
[Collection(DataSecurityCollection.Name)]
public abstract class DataSecurityTests;
