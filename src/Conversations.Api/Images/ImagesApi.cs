using System.Text.RegularExpressions;
using Conversations.Api.Auth;
using Conversations.Api.Errors;
using Conversations.Contracts;
using Conversations.Contracts.Images;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Conversations.Api.Images;

/// <summary>Images for messages: uploads and reads by their owner, and the tenant's image blocklist for its admins.</summary>
internal static partial class ImagesApi
{
    /// <summary>Maps <c>/v1/images</c> and <c>/v1/moderation/image-blocklist</c>.</summary>
    public static RouteGroupBuilder MapImagesApi(this RouteGroupBuilder v1)
    {
        var limit = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<IMessageImages>().MaxImageBytes;
        var images = v1.MapGroup("/images").WithTags("Images").RequireRoles(Roles.User, Roles.TenantAdmin);
        // Room past the image limit, so an oversized image gets the image's own 413 rather than the server's.
        images.MapPost("/", Upload).WithName("UploadImage").WithMetadata(new RequestSizeLimitAttribute(2L * limit + 65_536))
            .WithSummary("Stores an image for a message: the raw bytes as the body, with the image's Content-Type (png, jpeg, gif, webp; the type is checked from the bytes, and the file must be a whole image: a cut or damaged one is a 400 image_invalid). Returns its id for imageIds.")
            .Accepts<byte[]>("image/png", "image/jpeg", "image/gif", "image/webp", "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        images.MapGet("/{imageId}", Read).WithName("GetImage").WithSummary("The bytes of one of the caller's images.")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/png", "image/jpeg", "image/gif", "image/webp");

        // No key: the signature, made with the tenant's data key, names the tenant, the image and the expiry (Green fetches these).
        v1.MapGet("/image-links/{tenantId}/{imageId}", ReadByLink).WithTags("Images").WithName("GetImageByLink")
            .WithSummary("An image by a signed, short-lived link the platform gave an outside image checker; 404 when the link is wrong or expired.")
            .ExcludeFromDescription(); // for Green, not for clients

        var blocklist = v1.MapGroup("/moderation/image-blocklist").WithTags("Moderation").RequireRoles(Roles.TenantAdmin);
        blocklist.MapGet("/", ListBlocked).WithName("ListBlockedImages").WithSummary("The tenant's blocked images, by SHA-256 of their bytes.");
        blocklist.MapPut("/{sha256}", Block).WithName("BlockImage")
            .WithSummary("Blocks an image by the SHA-256 (hex) of its bytes: a message carrying it is refused. Body: {\"note\": \"why\"} (optional).");
        blocklist.MapDelete("/{sha256}", Unblock).WithName("UnblockImage").WithSummary("Removes an image hash from the blocklist.");
        return v1;
    }

    private static async Task<Results<Created<ImageInfo>, ProblemHttpResult>> Upload(HttpContext http, IMessageImages images, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        if (http.Request.ContentLength > images.MaxImageBytes)
            return Problems.TooLarge($"The image has {http.Request.ContentLength:N0} bytes; the limit is {images.MaxImageBytes:N0} bytes. Send a smaller or more compressed image.");
        var content = await ReadBoundedAsync(http.Request.Body, images.MaxImageBytes, ct);
        if (content is null)
            return Problems.TooLarge($"The image is larger than the limit of {images.MaxImageBytes:N0} bytes. Send a smaller or more compressed image.");
        ImageInfo info;
        try
        {
            info = await images.UploadAsync(caller.TenantId, caller.UserId, content, http.Request.ContentType, ct);
        }
        catch (ImageRejectedException e) when (e.Code == ImageRejectedException.InvalidCode)
        {
            // The image is the whole body: that is the field to point at.
            return TypedResults.Problem(e.Message, statusCode: 400, title: "The image was not accepted", type: "https://httpstatuses.io/400",
                extensions: new Dictionary<string, object?> { ["code"] = e.Code, ["field"] = "body" });
        }
        return TypedResults.Created($"/v1/images/{info.ImageId}", info);
    }

    private static async Task<IResult> Read(string imageId, HttpContext http, IMessageImages images, CancellationToken ct)
    {
        var caller = http.Caller().ToCaller();
        if (!Ids.IsId(imageId) || await images.ReadAsync(caller.TenantId, caller.UserId, imageId, ct) is not { } image) return Problems.NotFound("The image");
        return TypedResults.File(image.Content, image.Info.MediaType);
    }

    private static async Task<IResult> ReadByLink(string tenantId, string imageId, long? expires, string? sig, IMessageImages images, CancellationToken ct)
    {
        if (!Ids.IsTenantId(tenantId) || !Ids.IsId(imageId) || expires is null || sig is null
            || await images.ReadByLinkAsync(tenantId, imageId, expires.Value, sig, ct) is not { } image) return Problems.NotFound("The image");
        return TypedResults.File(image.Content, image.Info.MediaType);
    }

    private static async Task<Ok<BlockedImageList>> ListBlocked(HttpContext http, IMessageImages images, CancellationToken ct) =>
        TypedResults.Ok(new BlockedImageList(await images.ListBlockedAsync(http.Caller().TenantId!, ct)));

    private static async Task<Results<NoContent, ProblemHttpResult>> Block(string sha256, BlockImageRequest? body, HttpContext http, IMessageImages images, CancellationToken ct)
    {
        if (!Sha256Hex().IsMatch(sha256)) return Problems.BadRequest("The image hash must be a SHA-256 in hex: 64 characters 0-9 and a-f.");
        var note = body?.Note?.Trim() ?? "";
        if (note.Length > 500) return Problems.BadRequest("note must be at most 500 characters.");
        await images.BlockAsync(http.Caller().TenantId!, sha256.ToLowerInvariant(), note, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unblock(string sha256, HttpContext http, IMessageImages images, CancellationToken ct) =>
        Sha256Hex().IsMatch(sha256) && await images.UnblockAsync(http.Caller().TenantId!, sha256.ToLowerInvariant(), ct)
            ? TypedResults.NoContent() : Problems.NotFound("The blocked image");

    // Null when the body is longer than the limit: at most one byte past it is read.
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) return null;
        }
        return buffer.ToArray();
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}\\z")]
    private static partial Regex Sha256Hex();
}

/// <summary>Body of PUT /v1/moderation/image-blocklist/{sha256}.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
internal sealed record BlockImageRequest(string? Note);

/// <summary>The tenant's image blocklist.</summary>
internal sealed record BlockedImageList(IReadOnlyList<BlockedImage> Images);
