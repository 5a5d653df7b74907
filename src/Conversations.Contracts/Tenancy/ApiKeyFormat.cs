namespace Conversations.Contracts.Tenancy;

/// <summary>An API key's text, <c>cvk_{id}_{secret}</c>: the id names the key (it is public), the secret proves it.</summary>
public static class ApiKeyFormat
{
    /// <summary>What every key starts with.</summary>
    public const string Prefix = "cvk_";

    /// <summary>The key's text for an id and its secret.</summary>
    public static string Format(string keyId, string secret) => $"{Prefix}{keyId}_{secret}";

    /// <summary>Splits a key into its id and secret; false for text that is no key.</summary>
    public static bool TryParse(ReadOnlySpan<char> key, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = key[Prefix.Length..];
        var sep = rest.IndexOf('_');
        if (sep <= 0 || sep == rest.Length - 1 || rest.Length > 200) return false;
        keyId = rest[..sep].ToString();
        secret = rest[(sep + 1)..].ToString();
        return true;
    }
}
