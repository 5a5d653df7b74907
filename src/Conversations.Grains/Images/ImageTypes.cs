namespace Conversations.Grains.Images;

/// <summary>The image types a message may carry, recognised by their first bytes rather than by what the sender claims.</summary>
internal static class ImageTypes
{
    /// <summary>The accepted media types.</summary>
    public static readonly IReadOnlyList<string> Accepted = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// <summary>The media type the bytes are, or null when they are none of <see cref="Accepted"/>.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return "image/gif";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    /// <summary>
    /// Why <paramref name="content"/> is not an accepted image of the <paramref name="declared"/> type, or null with its
    /// real type. A generic or missing declared type is ignored; a declared image type must match the bytes.
    /// </summary>
    public static (string? MediaType, string? Problem) Check(ReadOnlySpan<byte> content, string? declared)
    {
        var sniffed = Sniff(content);
        if (sniffed is null)
            return (null, $"The file is not an image of an accepted type ({string.Join(", ", Accepted)}); its content was checked, not its name or header.");
        var claimed = declared?.Split(';')[0].Trim().ToLowerInvariant();
        if (claimed is "image/jpg") claimed = "image/jpeg";
        if (claimed is { Length: > 0 } && !claimed.StartsWith("image/", StringComparison.Ordinal) && claimed != "application/octet-stream")
            return (null, $"The file is declared as {claimed}; send an image ({string.Join(", ", Accepted)}).");
        if (claimed is { Length: > 0 } && claimed.StartsWith("image/", StringComparison.Ordinal) && claimed != sniffed)
            return (null, $"The file is declared as {claimed} but its content is {sniffed}.");
        return (sniffed, null);
    }
}
