using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Conversations.Storage.Encryption;

/// <summary>
/// One tenant's unwrapped data key. Seals text as <c>enc1:</c> + base64(nonce | tag | ciphertext), AES-256-GCM with the
/// tenant, the table and the row's identity as associated data: a value copied to another tenant or row fails to open.
/// </summary>
public sealed class TenantDataKey
{
    /// <summary>Prefix of every sealed value (format version 1).</summary>
    public const string Prefix = "enc1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Bytes <see cref="SealBytes"/> adds to what it seals (format byte, nonce, tag).</summary>
    public const int SealedBytesOverhead = 1 + NonceSize + TagSize;
    private readonly byte[] _key;
    private readonly byte[] _lookupKey;
    private readonly byte[] _lexemeKey;
    private readonly byte[] _requestKey;

    /// <summary>Wraps the 256-bit <paramref name="key"/> of <paramref name="tenantId"/>.</summary>
    public TenantDataKey(string tenantId, byte[] key)
    {
        if (key.Length != 32) throw new CryptographicException("A data key is 256 bits.");
        TenantId = tenantId;
        _key = key;
        // A separate key for lookups, so an HMAC never uses the encryption key itself.
        _lookupKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: Encoding.ASCII.GetBytes("lookup"));
        _lexemeKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: Encoding.ASCII.GetBytes("lexeme"));
        _requestKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: Encoding.ASCII.GetBytes("request"));
    }

    /// <summary>The tenant the key belongs to.</summary>
    public string TenantId { get; }

    /// <summary>True when <paramref name="stored"/> is a sealed value (anything else is plaintext written before encryption).</summary>
    public static bool IsSealed(string? stored) => stored is not null && stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Seals <paramref name="plaintext"/> for one row of one table.</summary>
    public string Seal(string plaintext, string table, string rowId)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[NonceSize + TagSize + plain.Length];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var gcm = new AesGcm(_key, TagSize))
            gcm.Encrypt(nonce, plain, blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), Associated(table, rowId));
        return Prefix + Convert.ToBase64String(blob);
    }

    /// <summary>Seals a nullable value (null stays null).</summary>
    public string? SealOrNull(string? plaintext, string table, string rowId) => plaintext is null ? null : Seal(plaintext, table, rowId);

    /// <summary>Opens a value sealed for this row; plaintext from before encryption passes through. Throws <see cref="CryptographicException"/> (naming the table and row) when the value was sealed for another tenant or row, or is damaged.</summary>
    public string Open(string stored, string table, string rowId)
    {
        if (!IsSealed(stored)) return stored;
        try
        {
            var blob = Convert.FromBase64String(stored[Prefix.Length..]);
            if (blob.Length < NonceSize + TagSize) throw new CryptographicException("A sealed value is too short.");
            var plain = new byte[blob.Length - NonceSize - TagSize];
            using (var gcm = new AesGcm(_key, TagSize))
                gcm.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plain, Associated(table, rowId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw Unopenable(table, rowId, e);
        }
    }

    /// <summary>Opens a nullable value (null stays null).</summary>
    public string? OpenOrNull(string? stored, string table, string rowId) => stored is null ? null : Open(stored, table, rowId);

    /// <summary>Seals bytes (grain state) for one row.</summary>
    public byte[] SealBytes(ReadOnlySpan<byte> plain, string table, string rowId)
    {
        var blob = new byte[1 + NonceSize + TagSize + plain.Length];
        blob[0] = 1;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_key, TagSize);
        gcm.Encrypt(nonce, plain, blob.AsSpan(1 + NonceSize + TagSize), blob.AsSpan(1 + NonceSize, TagSize), Associated(table, rowId));
        return blob;
    }

    /// <summary>Opens bytes sealed by <see cref="SealBytes"/> for the same row.</summary>
    public byte[] OpenBytes(ReadOnlySpan<byte> blob, string table, string rowId)
    {
        if (blob.Length < 1 + NonceSize + TagSize || blob[0] != 1) throw Unopenable(table, rowId, new CryptographicException("Unknown sealed-state format."));
        var plain = new byte[blob.Length - 1 - NonceSize - TagSize];
        try
        {
            using var gcm = new AesGcm(_key, TagSize);
            gcm.Decrypt(blob.Slice(1, NonceSize), blob[(1 + NonceSize + TagSize)..], blob.Slice(1 + NonceSize, TagSize), plain, Associated(table, rowId));
        }
        catch (CryptographicException e)
        {
            throw Unopenable(table, rowId, e);
        }
        return plain;
    }

    // Says where, so an operator can find the record; the value itself is never in the message.
    private CryptographicException Unopenable(string table, string rowId, Exception inner) => new(
        $"A value stored in {table} (row {rowId}) of tenant '{TenantId}' could not be opened with the tenant's data key: it was sealed with another key or for another row, or it is damaged.",
        inner);

    /// <summary>A keyed hash of <paramref name="text"/> for lookups (cache keys): equal texts match, the text is not recoverable without the key.</summary>
    public string Lookup(string text) =>
        Convert.ToHexString(HMACSHA256.HashData(_lookupKey, Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    /// <summary>
    /// A keyed stand-in for a full-text lexeme (16 hex digits): the index matches equal words, but holds no word itself
    /// and differs between tenants.
    /// </summary>
    public string Lexeme(string lexeme) =>
        Convert.ToHexString(HMACSHA256.HashData(_lexemeKey, Encoding.UTF8.GetBytes(lexeme)), 0, 8).ToLowerInvariant();

    /// <summary>
    /// A keyed fingerprint of a request (its text and the digest of its image references) within <paramref name="scope"/>:
    /// equal requests match, and without the key a short text cannot be guessed from it.
    /// </summary>
    public string RequestFingerprint(string scope, string text, string? images) =>
        Convert.ToHexString(HMACSHA256.HashData(_requestKey, JsonSerializer.SerializeToUtf8Bytes(new[] { scope, text, images ?? "" }))).ToLowerInvariant();

    private byte[] Associated(string table, string rowId) => Encoding.UTF8.GetBytes($"{TenantId}\n{table}\n{rowId}");
}
