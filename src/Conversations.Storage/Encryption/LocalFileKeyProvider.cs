using System.Security.Cryptography;
using System.Text;

namespace Conversations.Storage.Encryption;

/// <summary>
/// Master keys in a local file, one <c>id base64-key</c> line each, the last line current; created with mode 0600 when
/// missing. Wrapping is AES-GCM under the master with the tenant id as associated data, so a wrapped key moved to
/// another tenant's row does not unwrap.
/// </summary>
public sealed class LocalFileKeyProvider : IKeyProvider
{
    private const byte Version = 1;
    private readonly string _path;
    private readonly Lock _gate = new();
    private Dictionary<string, byte[]> _keys = [];
    private string _current = "";
    private DateTime _loadedWriteTime;

    /// <summary>Loads (or creates) the key file at <paramref name="path"/>.</summary>
    public LocalFileKeyProvider(string path)
    {
        _path = Path.GetFullPath(path);
        if (!File.Exists(_path)) CreateFile();
        Load();
    }

    /// <inheritdoc />
    public string CurrentMasterKeyId
    {
        get
        {
            lock (_gate)
            {
                if (File.GetLastWriteTimeUtc(_path) != _loadedWriteTime) Load();
                return _current;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> WrapAsync(string tenantId, byte[] dataKey, CancellationToken ct = default)
    {
        string id; byte[] master;
        lock (_gate)
        {
            // Another host may have rotated the shared file: a new data key is wrapped with the master that is current
            // there now, not the one this host read at start (which the operator may mean to retire).
            if (File.GetLastWriteTimeUtc(_path) != _loadedWriteTime) Load();
            id = _current;
            master = _keys[id];
        }
        var idBytes = Encoding.ASCII.GetBytes(id);
        // version | id length | id | nonce | tag | ciphertext
        var output = new byte[2 + idBytes.Length + 12 + 16 + dataKey.Length];
        output[0] = Version;
        output[1] = (byte)idBytes.Length;
        idBytes.CopyTo(output, 2);
        var rest = output.AsSpan(2 + idBytes.Length);
        RandomNumberGenerator.Fill(rest[..12]);
        using var gcm = new AesGcm(master, 16);
        gcm.Encrypt(rest[..12], dataKey, rest[28..], rest[12..28], Associated(tenantId));
        return ValueTask.FromResult(output);
    }

    /// <inheritdoc />
    public ValueTask<byte[]> UnwrapAsync(string tenantId, byte[] wrapped, CancellationToken ct = default)
    {
        if (wrapped.Length < 2 || wrapped[0] != Version) throw new CryptographicException("Unknown wrapped-key format.");
        var id = Encoding.ASCII.GetString(wrapped, 2, wrapped[1]);
        byte[] master;
        lock (_gate)
        {
            // Another host may have rotated the shared file since this one read it.
            if (!_keys.ContainsKey(id)) Load();
            if (!_keys.TryGetValue(id, out master!))
                throw new CryptographicException($"Master key '{id}' is not in {_path}; the data keys it wrapped cannot be read.");
        }
        var rest = wrapped.AsSpan(2 + wrapped[1]);
        var dataKey = new byte[rest.Length - 28];
        using var gcm = new AesGcm(master, 16);
        gcm.Decrypt(rest[..12], rest[28..], rest[12..28], dataKey, Associated(tenantId));
        return ValueTask.FromResult(dataKey);
    }

    /// <inheritdoc />
    public ValueTask<string> RotateMasterAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            var id = NewId();
            File.AppendAllText(_path, $"{id} {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
            Load();
            return ValueTask.FromResult(id);
        }
    }

    private static string NewId() => $"m{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";

    private static byte[] Associated(string tenantId) => Encoding.UTF8.GetBytes("tenant-data-key\n" + tenantId);

    private void CreateFile()
    {
        var line = $"{NewId()} {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var f = new FileStream(_path, options);
            f.Write(Encoding.ASCII.GetBytes(line));
        }
        catch (IOException) when (File.Exists(_path))
        {
            // Another process created it first: use theirs.
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidOperationException(
                $"Cannot create the master-key file {_path}: this process (user {Environment.UserName}) may not write to {Path.GetDirectoryName(_path)}. "
                + "Make the folder writable for it, or provide the file (Encryption:MasterKeyFile; one 'id base64-key' line).", e);
        }
    }

    private void Load()
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var current = "";
        // A file being created by another process can be empty for a moment.
        for (var attempt = 0; attempt < 50 && keys.Count == 0; attempt++)
        {
            if (attempt > 0) Thread.Sleep(20);
            foreach (var line in File.ReadAllLines(_path))
            {
                var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0) continue;
                var key = Convert.FromBase64String(parts[1]);
                if (key.Length != 32) throw new CryptographicException($"Master key '{parts[0]}' in {_path} is not 256 bits.");
                keys[parts[0]] = key;
                current = parts[0];
            }
        }
        if (keys.Count == 0) throw new CryptographicException($"{_path} holds no master key.");
        _keys = keys;
        _current = current;
        _loadedWriteTime = File.GetLastWriteTimeUtc(_path);
    }
}
