using System.Security.Cryptography;
using Conversations.Contracts.Encryption;
using Conversations.Contracts.Images;
using Conversations.Routing.Endpoints;
using Conversations.Storage.Encryption;
using Conversations.Storage.Images;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Images;

/// <summary>
/// <see cref="IMessageImages"/> over <see cref="ImageStore"/>: size and type (by content) checked before anything is
/// stored; a URL is fetched through a client whose every connection is checked against the image fetch policy (the
/// resolved address is the one connected to), redirects followed by hand and each checked, bounded in bytes and time.
/// </summary>
internal sealed class MessageImageService : IMessageImages, IDisposable
{
    /// <summary>The route of signed image links: <c>{tenantId}/{imageId}?expires=&amp;sig=</c> follow it.</summary>
    public const string LinkPath = "/v1/image-links/";

    private readonly ImageStore _store;
    private readonly TenantKeyRing _keys;
    private readonly TimeProvider _time;
    private readonly ImageOptions _options;
    private readonly EndpointPolicy _policy;
    private readonly HttpClient _http;

    /// <summary>Builds the service and its fetch client over the <c>Images:Fetch</c> policy (not the model endpoints' policy, which a host may relax).</summary>
    public MessageImageService(ImageStore store, TenantKeyRing keys, IOptions<ImageOptions> options, TimeProvider? time = null)
    {
        _store = store;
        _keys = keys;
        _time = time ?? TimeProvider.System;
        _options = options.Value;
        // Nothing is relaxed by environment: unset means https and public addresses only.
        _options.Fetch.AllowHttp ??= false;
        _options.Fetch.AllowLoopback ??= false;
        _policy = new EndpointPolicy(_options.Fetch);
        _http = new HttpClient(_policy.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("conversations-image-fetch/1");
    }

    /// <inheritdoc />
    public int MaxImagesPerMessage => _options.MaxImagesPerMessage;

    /// <inheritdoc />
    public int MaxImageBytes => _options.MaxImageBytes;

    /// <inheritdoc />
    public Task<ImageInfo> UploadAsync(string tenantId, string userId, byte[] content, string? declaredType, CancellationToken ct) =>
        StoreAsync(tenantId, userId, content, declaredType, null, ct);

    /// <inheritdoc />
    public async Task<ImageInfo> FetchAsync(string tenantId, string userId, string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ImageRejectedException("image_url", $"Image URL '{Short(url)}' must be an absolute http or https URL.", 400);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.FetchTimeout);
        try
        {
            for (var hop = 0; ; hop++)
            {
                if (_policy.CheckUrl(uri.AbsoluteUri) is { } refusal) throw Blocked(url, refusal);
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= _options.MaxRedirects)
                        throw new ImageRejectedException("image_fetch_failed", $"Image URL '{Short(url)}' redirects more than {_options.MaxRedirects} times.", 422);
                    uri = new Uri(uri, location);
                    if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                        throw new ImageRejectedException("image_url", $"Image URL '{Short(url)}' redirects to a URL that is not http or https.", 400);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw new ImageRejectedException("image_fetch_failed", $"Image URL '{Short(url)}' answered {(int)response.StatusCode} {response.ReasonPhrase}.", 422);
                if (response.Content.Headers.ContentLength > _options.MaxImageBytes) throw TooLarge(response.Content.Headers.ContentLength.Value);
                var content = await ReadBoundedAsync(response.Content, timeout.Token);
                return await StoreAsync(tenantId, userId, content, response.Content.Headers.ContentType?.MediaType, url, ct);
            }
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            throw Blocked(url, refused.Message);
        }
        catch (HttpRequestException e)
        {
            throw new ImageRejectedException("image_fetch_failed", $"Image URL '{Short(url)}' could not be fetched ({e.HttpRequestError}).", 422);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ImageRejectedException("image_fetch_failed",
                $"Image URL '{Short(url)}' did not deliver the image within {_options.FetchTimeout.TotalSeconds:0.#} s.", 422);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ImageInfo>> FindAsync(string tenantId, string userId, IReadOnlyList<string> imageIds, CancellationToken ct) =>
        (await _store.ReadAsync(tenantId, userId, imageIds, withContent: false, ct)).Select(i => Info(i.Image)).ToList();

    /// <inheritdoc />
    public async Task<(ImageInfo Info, byte[] Content)?> ReadAsync(string tenantId, string userId, string imageId, CancellationToken ct)
    {
        var found = await _store.ReadAsync(tenantId, userId, [imageId], withContent: true, ct);
        return found.Count == 0 ? null : (Info(found[0].Image), found[0].Content!);
    }

    /// <inheritdoc />
    public async Task<string?> PublicLinkAsync(string tenantId, string imageId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(_options.PublicBaseUrl)) return null;
        var expires = (_time.GetUtcNow() + _options.LinkLifetime).ToUnixTimeSeconds();
        var signature = (await _keys.ForTenantAsync(tenantId, ct)).Lookup(LinkText(imageId, expires));
        return $"{_options.PublicBaseUrl.TrimEnd('/')}{LinkPath}{Uri.EscapeDataString(tenantId)}/{imageId}?expires={expires}&sig={signature}";
    }

    /// <inheritdoc />
    public async Task<(ImageInfo Info, byte[] Content)?> ReadByLinkAsync(string tenantId, string imageId, long expires, string signature, CancellationToken ct)
    {
        if (expires < _time.GetUtcNow().ToUnixTimeSeconds() || signature.Length != 64) return null;
        // The signature is keyed by the tenant's data key: a link cannot be made for another tenant, image or time. A
        // tenant without a key (or with a destroyed one) has no images to show: the same "not found", and no key is made.
        TenantDataKey? key;
        try { key = await _keys.ExistingForTenantAsync(tenantId, ct); }
        catch (TenantDataUnreadableException) { return null; }
        if (key is null) return null;
        var expected = key.Lookup(LinkText(imageId, expires));
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(signature))) return null;
        var found = await _store.ReadAnyOwnerAsync(tenantId, imageId, ct);
        return found is { } f ? (Info(f.Image), f.Content) : null;
    }

    private static string LinkText(string imageId, long expires) => $"image-link\n{imageId}\n{expires}";

    /// <inheritdoc />
    public async Task<IReadOnlyList<BlockedImage>> ListBlockedAsync(string tenantId, CancellationToken ct) =>
        (await _store.ListBlockedAsync(tenantId, ct)).Select(b => new BlockedImage(b.Sha256, b.Note, b.CreatedAt)).ToList();

    /// <inheritdoc />
    public Task BlockAsync(string tenantId, string sha256, string note, CancellationToken ct) => _store.BlockAsync(tenantId, sha256, note, ct);

    /// <inheritdoc />
    public Task<bool> UnblockAsync(string tenantId, string sha256, CancellationToken ct) => _store.UnblockAsync(tenantId, sha256, ct);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>Lower-case hex SHA-256 of <paramref name="content"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private async Task<ImageInfo> StoreAsync(string tenantId, string userId, byte[] content, string? declaredType, string? sourceUrl, CancellationToken ct)
    {
        if (content.Length == 0) throw new ImageRejectedException("image_type", "The image is empty.", 400);
        if (content.Length > _options.MaxImageBytes) throw TooLarge(content.Length);
        var (mediaType, problem) = ImageTypes.Check(content, declaredType);
        if (problem is not null) throw new ImageRejectedException("image_type", problem, 415);
        // Right first bytes are not an image: a cut or forged file would reach the model provider, which refuses it mid-turn.
        if (ImageStructure.Problem(content, mediaType!) is { } broken) throw new ImageRejectedException(ImageRejectedException.InvalidCode, broken, 400);
        var record = new ImageRecord(tenantId, "img_" + Guid.NewGuid().ToString("n"), userId, mediaType!, content.Length, Sha256Hex(content), sourceUrl);
        if (!await _store.SaveAsync(record, content, _options.MaxBytesPerTenant, ct))
        {
            var held = await _store.TenantBytesAsync(tenantId, ct);
            throw new ImageRejectedException("image_quota_exceeded",
                $"Your organisation's images take {held / 1048576.0:N1} MiB of its {_options.MaxBytesPerTenant / 1048576.0:N0} MiB, and this one ({content.Length / 1048576.0:N1} MiB) does not fit; "
                + "it was not stored. Ask your administrator: deleting conversations or users removes their images, and the platform operator can raise Images__MaxBytesPerTenant.", 409);
        }
        return Info(record);
    }

    // Reads at most one byte past the limit, so a body without (or lying about) its length cannot grow unbounded.
    private async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > _options.MaxImageBytes) throw TooLarge(buffer.Length);
        }
        return buffer.ToArray();
    }

    private ImageRejectedException TooLarge(long bytes) => new("image_too_large",
        $"The image has {bytes:N0} bytes or more; the limit is {_options.MaxImageBytes:N0} bytes. Send a smaller or more compressed image.", 413);

    // The policy's wording names the model endpoint settings; here it is about an image URL and its own settings.
    private static ImageRejectedException Blocked(string url, string refusal) => new("image_blocked_address",
        $"Image URL '{Short(url)}' is not allowed: " + refusal.Replace("the Endpoints policy", "the image fetch policy", StringComparison.Ordinal)
            .Replace(EndpointPolicyOptions.Section + ":", "Images:Fetch:", StringComparison.Ordinal), 400);

    private static EndpointRefusedException? Refusal(Exception e) =>
        e as EndpointRefusedException ?? (e.InnerException is { } inner ? Refusal(inner) : null);

    private static string Short(string url) => url.Length <= 120 ? url : url[..117] + "...";

    private static ImageInfo Info(ImageRecord r) => new(r.ImageId, r.MediaType, r.ByteSize, r.Sha256, r.SourceUrl);
}
