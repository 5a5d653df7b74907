namespace Conversations.Storage.Encryption;

/// <summary>Configuration section <c>Encryption</c>: where the master key lives and how long unwrapped keys are cached.</summary>
public sealed class EncryptionOptions
{
    /// <summary>The section name.</summary>
    public const string Section = "Encryption";

    /// <summary>Default path of the local master key file, relative to the working directory.</summary>
    public const string DefaultMasterKeyFile = ".local/master.key";

    /// <summary>Default seconds an unwrapped data key is used before its row is read again (a destroyed key stops within this).</summary>
    public const int DefaultKeyCacheSeconds = 5;

    /// <summary>Path of the local master key file; created (mode 0600) when missing.</summary>
    public string MasterKeyFile { get; set; } = DefaultMasterKeyFile;

    /// <summary>Seconds an unwrapped data key is cached per process.</summary>
    public int KeyCacheSeconds { get; set; } = DefaultKeyCacheSeconds;

    /// <summary>Seal tenants' grain state (default true). Off only to write state as builds before sealing did; sealed and unsealed state both read back.</summary>
    public bool SealGrainState { get; set; } = true;
}
