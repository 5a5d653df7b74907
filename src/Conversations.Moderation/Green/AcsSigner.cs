using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Conversations.Moderation.Green;

/// <summary>The parts of an HTTP request that an ACS3 signature covers.</summary>
/// <param name="Method">HTTP method, upper case.</param>
/// <param name="Path">Canonical URI; "/" for RPC-style APIs.</param>
/// <param name="Query">Query parameters (unencoded).</param>
/// <param name="Headers">Headers to sign (host, x-acs-*, content-type), any case; values unencoded.</param>
/// <param name="Body">The exact request body bytes.</param>
internal sealed record AcsRequest(
    string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Query, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>Every intermediate of an ACS3 signature (kept so tests and servers can compare step by step).</summary>
internal sealed record AcsSignature(
    string CanonicalRequest, string HashedCanonicalRequest, string StringToSign, string SignedHeaders, string Signature, string Authorization);

/// <summary>Alibaba Cloud API signatures: ACS3-HMAC-SHA256 (V3, used for Green) and the older RPC HMAC-SHA1.</summary>
internal static class AcsSigner
{
    /// <summary>The V3 algorithm name.</summary>
    public const string Algorithm = "ACS3-HMAC-SHA256";

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/> (the x-acs-content-sha256 value for a body).</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The x-acs-date format: UTC, ISO 8601, seconds precision.</summary>
    public static string FormatDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The standard V3 headers for an API call (host, x-acs-action/version/date/nonce/content-sha256).</summary>
    public static Dictionary<string, string> StandardHeaders(string host, string action, string version, DateTimeOffset date, string nonce, ReadOnlySpan<byte> body) =>
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["host"] = host,
            ["x-acs-action"] = action,
            ["x-acs-version"] = version,
            ["x-acs-date"] = FormatDate(date),
            ["x-acs-signature-nonce"] = nonce,
            ["x-acs-content-sha256"] = Sha256Hex(body),
        };

    /// <summary>Signs <paramref name="request"/> with ACS3-HMAC-SHA256.</summary>
    public static AcsSignature SignV3(AcsRequest request, string accessKeyId, string accessKeySecret)
    {
        var canonicalQuery = string.Join('&', request.Query
            .Select(p => (Key: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var headers = request.Headers
            .Select(h => (Name: h.Key.Trim().ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var canonicalHeaders = new StringBuilder();
        foreach (var (name, value) in headers)
            canonicalHeaders.Append(name).Append(':').Append(value).Append('\n');
        var signedHeaders = string.Join(';', headers.Select(h => h.Name));
        var payloadHash = request.Headers.TryGetValue("x-acs-content-sha256", out var declared) ? declared : Sha256Hex(request.Body);
        var canonicalRequest = string.Join('\n',
            request.Method.ToUpperInvariant(), request.Path, canonicalQuery, canonicalHeaders.ToString(), signedHeaders, payloadHash);
        var hashed = Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));
        var stringToSign = Algorithm + "\n" + hashed;
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKeySecret), Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={accessKeyId},SignedHeaders={signedHeaders},Signature={signature}";
        return new AcsSignature(canonicalRequest, hashed, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>The RPC-style HMAC-SHA1 signature (SignatureVersion 1.0) over all request parameters except Signature.</summary>
    public static string SignRpcV1(string httpMethod, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        var canonical = string.Join('&', parameters
            .Where(p => p.Key != "Signature")
            .Select(p => (Key: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var stringToSign = $"{httpMethod.ToUpperInvariant()}&{PercentEncode("/")}&{PercentEncode(canonical)}";
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>RFC 3986 encoding as Alibaba Cloud requires: only A–Z a–z 0–9 - _ . ~ stay, space is %20, hex upper case.</summary>
    public static string PercentEncode(string value) => Uri.EscapeDataString(value);
}
