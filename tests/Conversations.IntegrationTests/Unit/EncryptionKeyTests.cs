using System.Security.Cryptography;

namespace Conversations.IntegrationTests.Unit;

/// <summary>The local master key file and a tenant's sealing key, without a database.</summary>
public sealed class EncryptionKeyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "conversations-tests", "keys-" + Guid.NewGuid().ToString("n"));

    [Fact(DisplayName = "The master key file is created readable by its owner only, and a wrapped data key unwraps only for its own tenant")]
    public async Task Key_file_is_private_and_wraps_per_tenant()
    {
        var path = Path.Combine(_dir, "master.key");
        var provider = new LocalFileKeyProvider(path);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = await provider.WrapAsync("acme", dataKey);
        Assert.Equal(dataKey, await provider.UnwrapAsync("acme", wrapped));
        Assert.Equal(dataKey, await new LocalFileKeyProvider(path).UnwrapAsync("acme", wrapped)); // another host, same file
        await Assert.ThrowsAnyAsync<CryptographicException>(async () => await provider.UnwrapAsync("globex", wrapped));
        await Assert.ThrowsAnyAsync<CryptographicException>(async () => await new LocalFileKeyProvider(Path.Combine(_dir, "other.key")).UnwrapAsync("acme", wrapped));
    }

    [Fact(DisplayName = "Rotation makes a new master current and keeps the old one, so keys wrapped before still unwrap; another host that read the file before wraps new keys with the new master; the file run-local.sh writes loads")]
    public async Task Rotation_keeps_old_masters()
    {
        var path = Path.Combine(_dir, "master.key");
        Directory.CreateDirectory(_dir);
        // The line deploy/run-local.sh writes.
        await File.WriteAllTextAsync(path, $"m20261201000000-local {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        var provider = new LocalFileKeyProvider(path);
        Assert.Equal("m20261201000000-local", provider.CurrentMasterKeyId);
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var before = await provider.WrapAsync("acme", dataKey);
        var next = await provider.RotateMasterAsync();
        Assert.Equal(next, provider.CurrentMasterKeyId);
        Assert.NotEqual("m20261201000000-local", next);
        Assert.Equal(dataKey, await provider.UnwrapAsync("acme", before));
        Assert.Equal(dataKey, await provider.UnwrapAsync("acme", await provider.WrapAsync("acme", dataKey)));

        // A host that read the file before the rotation unwraps keys wrapped under the new master too.
        var earlier = new LocalFileKeyProvider(path);
        var rotated = await provider.WrapAsync("acme", dataKey);
        await provider.RotateMasterAsync();
        Assert.Equal(dataKey, await earlier.UnwrapAsync("acme", await provider.WrapAsync("acme", dataKey)));
        Assert.Equal(dataKey, await earlier.UnwrapAsync("acme", rotated));
        // And it wraps new keys with the master the rotation made current, not the one it read at start.
        var third = await provider.RotateMasterAsync();
        var wrappedThere = await earlier.WrapAsync("acme", dataKey);
        Assert.Equal(third, System.Text.Encoding.ASCII.GetString(wrappedThere, 2, wrappedThere[1]));
        Assert.Equal(third, earlier.CurrentMasterKeyId);
    }

    [Fact(DisplayName = "A sealed value opens only for its tenant, table and row; plaintext from before encryption passes; lookups and lexemes are stable per tenant and differ across tenants")]
    public void Sealed_values_are_bound_to_their_row()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var acme = new TenantDataKey("acme", bytes);
        var sealedText = acme.Seal("jane@example.com", "messages", "c1/1");
        Assert.StartsWith(TenantDataKey.Prefix, sealedText);
        Assert.DoesNotContain("jane", sealedText);
        Assert.NotEqual(sealedText, acme.Seal("jane@example.com", "messages", "c1/1")); // a fresh nonce each time
        Assert.Equal("jane@example.com", acme.Open(sealedText, "messages", "c1/1"));
        Assert.ThrowsAny<CryptographicException>(() => acme.Open(sealedText, "messages", "c1/2"));
        Assert.ThrowsAny<CryptographicException>(() => acme.Open(sealedText, "routing_feedback", "c1/1"));
        Assert.ThrowsAny<CryptographicException>(() => new TenantDataKey("globex", bytes).Open(sealedText, "messages", "c1/1"));
        Assert.Equal("written before", acme.Open("written before", "messages", "c1/1"));

        var globex = new TenantDataKey("globex", RandomNumberGenerator.GetBytes(32));
        Assert.Equal(acme.Lookup("question"), acme.Lookup("question"));
        Assert.NotEqual(acme.Lookup("question"), globex.Lookup("question"));
        Assert.Equal(16, acme.Lexeme("leave").Length);
        Assert.Equal(acme.Lexeme("leave"), acme.Lexeme("leave"));
        Assert.NotEqual(acme.Lexeme("leave"), globex.Lexeme("leave"));
        Assert.Equal([1, 2, 3], acme.OpenBytes(acme.SealBytes([1, 2, 3], "grain-state", "g"), "grain-state", "g"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
