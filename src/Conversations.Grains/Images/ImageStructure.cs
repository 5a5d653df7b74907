using System.Buffers.Binary;

namespace Conversations.Grains.Images;

/// <summary>
/// Reads an image's container far enough to know it is whole: its dimensions from the header, and the structure a
/// decoder walks (PNG chunks to IEND with a valid IHDR, JPEG segments to a frame and into its scan, GIF blocks to the
/// trailer, a WebP RIFF with a VP8/VP8L/VP8X frame header). Pixels are not decoded: the model provider does that, and
/// a file that passes here has the shape every decoder expects. Bytes after the end marker are allowed, as decoders do.
/// </summary>
internal static class ImageStructure
{
    /// <summary>The largest width or height accepted (the providers' own limits are far lower).</summary>
    public const int MaxSide = 16_384;

    /// <summary>Null when <paramref name="b"/> is a whole image of <paramref name="mediaType"/>, else what is wrong with it.</summary>
    public static string? Problem(ReadOnlySpan<byte> b, string mediaType)
    {
        var (width, height, problem) = mediaType switch
        {
            "image/png" => Png(b),
            "image/jpeg" => Jpeg(b),
            "image/gif" => Gif(b),
            "image/webp" => WebP(b),
            _ => (0, 0, "its type is not one that is read"),
        };
        if (problem is not null) return $"The file starts like {mediaType} but is not a whole image: {problem}. Send the complete, unedited file.";
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
            return $"The image says it is {width}×{height} pixels; each side must be 1 to {MaxSide:N0}.";
        return null;
    }

    private static (int, int, string?) Png(ReadOnlySpan<byte> b)
    {
        // Signature (8), then chunks: length (4, big-endian), type (4), data, CRC (4); IHDR first, IEND last.
        if (b.Length < 8 + 25 || !b.Slice(12, 4).SequenceEqual("IHDR"u8) || BinaryPrimitives.ReadUInt32BigEndian(b[8..]) != 13)
            return (0, 0, "its header (IHDR) is missing or cut short");
        if (Crc32(b.Slice(12, 17)) != BinaryPrimitives.ReadUInt32BigEndian(b[29..])) return (0, 0, "its header's checksum is wrong");
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(b[16..]), BinaryPrimitives.ReadInt32BigEndian(b[20..]));
        var (at, data) = (33, false);
        while (true)
        {
            if (at + 12 > b.Length) return (0, 0, "it ends before its end chunk (IEND)");
            var length = BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
            if (length > (uint)(b.Length - at - 12)) return (0, 0, "a chunk runs past the end of the file");
            var type = b.Slice(at + 4, 4);
            data |= type.SequenceEqual("IDAT"u8);
            if (type.SequenceEqual("IEND"u8)) return data ? (width, height, null) : (0, 0, "it has no image data (IDAT)");
            at += 12 + (int)length;
        }
    }

    private static (int, int, string?) Jpeg(ReadOnlySpan<byte> b)
    {
        // Segments after SOI: FF marker, then a big-endian length that counts itself; a frame (SOFn) before the scan (SOS).
        var (at, width, height) = (2, 0, 0);
        while (true)
        {
            if (at + 4 > b.Length) return (0, 0, "it ends before its image data");
            if (b[at] != 0xFF) return (0, 0, "a segment marker is missing");
            var marker = b[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(at + 2)..]);
            if (length < 2 || at + 2 + length > b.Length) return (0, 0, "a segment runs past the end of the file");
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 8) return (0, 0, "its frame header is cut short");
                (height, width) = (BinaryPrimitives.ReadUInt16BigEndian(b[(at + 5)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(at + 7)..]));
            }
            if (marker == 0xDA)
            {
                if (width == 0) return (0, 0, "its scan comes before any frame header");
                // Entropy-coded data follows the scan header (its end marker is not required: decoders show a file without one).
                return at + 2 + length < b.Length ? (width, height, null) : (0, 0, "it ends before its image data");
            }
            at += 2 + length;
        }
    }

    private static (int, int, string?) Gif(ReadOnlySpan<byte> b)
    {
        // Header (6), logical screen (7) with an optional global colour table, then blocks to the trailer (3B).
        if (b.Length < 13) return (0, 0, "its screen descriptor is cut short");
        var (width, height) = (BinaryPrimitives.ReadUInt16LittleEndian(b[6..]), BinaryPrimitives.ReadUInt16LittleEndian(b[8..]));
        var at = 13 + ColourTable(b[10]);
        var frames = 0;
        while (at < b.Length)
        {
            switch (b[at])
            {
                case 0x3B:
                    return frames > 0 ? (width, height, null) : (0, 0, "it has no image");
                case 0x21: // extension: label, then sub-blocks
                    at = SubBlocks(b, at + 2);
                    break;
                case 0x2C: // image: descriptor (10), optional local colour table, LZW code size, sub-blocks
                    if (at + 11 > b.Length) return (0, 0, "an image descriptor is cut short");
                    at = SubBlocks(b, at + 10 + ColourTable(b[at + 9]) + 1);
                    frames++;
                    break;
                default:
                    return (0, 0, "a block of an unknown kind is in it");
            }
            if (at < 0) return (0, 0, "a data block runs past the end of the file");
        }
        return (0, 0, "it ends before its trailer");

        static int ColourTable(byte flags) => (flags & 0x80) == 0 ? 0 : 3 << ((flags & 0x07) + 1);
    }

    // The index after a chain of GIF sub-blocks (each a size byte, 0 ends it) starting at `at`; -1 when it runs out.
    private static int SubBlocks(ReadOnlySpan<byte> b, int at)
    {
        while (at < b.Length)
        {
            var size = b[at];
            at += 1 + size;
            if (size == 0) return at;
        }
        return -1;
    }

    private static (int, int, string?) WebP(ReadOnlySpan<byte> b)
    {
        // RIFF size (little-endian) covers the rest of the file; the first chunk is the frame's header.
        if (b.Length < 30) return (0, 0, "its header is cut short");
        if (BinaryPrimitives.ReadUInt32LittleEndian(b[4..]) > (uint)(b.Length - 8)) return (0, 0, "it is shorter than its header says");
        var chunk = b.Slice(12, 4);
        if (BinaryPrimitives.ReadUInt32LittleEndian(b[16..]) > (uint)(b.Length - 20)) return (0, 0, "its frame runs past the end of the file");
        if (chunk.SequenceEqual("VP8X"u8))
            return (1 + (b[24] | b[25] << 8 | b[26] << 16), 1 + (b[27] | b[28] << 8 | b[29] << 16), null);
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (b[20] != 0x2F) return (0, 0, "its lossless frame header is wrong");
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            return (1 + (int)(bits & 0x3FFF), 1 + (int)((bits >> 14) & 0x3FFF), null);
        }
        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (!b.Slice(23, 3).SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A])) return (0, 0, "its frame's start code is wrong");
            return (BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFF, null);
        }
        return (0, 0, "it has no VP8, VP8L or VP8X frame");
    }

    // PNG's CRC-32 (ISO 3309, the one zlib computes) over a chunk's type and data.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var d in data)
        {
            crc ^= d;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
