using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Testing.Database;

/// <summary>The master key file the test kit's hosts share, and key rings on it for tests that read the stores directly.</summary>
public static class TestKeys
{
    /// <summary>One master key file for every test host on this machine (created mode 0600 on first use).</summary>
    public static string MasterKeyFile { get; } = Path.Combine(Path.GetTempPath(), "conversations-tests", "master.key");

    /// <summary>A key ring over <paramref name="db"/> with the master in <paramref name="masterKeyFile"/> (the shared one by default); no caching, so it sees a destroyed key at once.</summary>
    public static TenantKeyRing Ring(NpgsqlDataSource db, string? masterKeyFile = null) =>
        new(db, new LocalFileKeyProvider(masterKeyFile ?? MasterKeyFile), new EncryptionOptions { KeyCacheSeconds = 0 });
}
