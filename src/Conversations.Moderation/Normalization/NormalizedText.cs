namespace Conversations.Moderation.Normalization;

/// <summary>A normalized copy of a text plus, for every normalized char, the offset of the original char it came from.</summary>
/// <remarks>Reusable: normalizing into the same instance again reuses its arrays, so steady-state scans allocate nothing.</remarks>
public sealed class NormalizedText
{
    private char[] _chars;
    private int[] _sources;

    /// <summary>Creates an empty buffer with room for <paramref name="capacity"/> chars.</summary>
    public NormalizedText(int capacity = 256)
    {
        _chars = new char[Math.Max(16, capacity)];
        _sources = new int[_chars.Length];
    }

    /// <summary>Number of normalized chars.</summary>
    public int Length { get; private set; }

    /// <summary>Length of the original text this was built from.</summary>
    public int OriginalLength { get; private set; }

    /// <summary>The normalized chars.</summary>
    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, Length);

    /// <summary>The normalized text as a string (allocates; for tests and diagnostics).</summary>
    public override string ToString() => new(_chars, 0, Length);

    /// <summary>Original offset of the char that produced normalized char <paramref name="index"/>.</summary>
    public int SourceOf(int index) => _sources[index];

    /// <summary>Maps the normalized range [start, end) to the original range it covers.</summary>
    /// <remarks>Every normalized char comes from exactly one original UTF-16 unit, so the end is the last source plus one.</remarks>
    public (int Start, int End) ToOriginal(int start, int end) =>
        end <= start ? (SourceAtOrAfter(start), SourceAtOrAfter(start)) : (_sources[start], _sources[end - 1] + 1);

    /// <summary>Original offset where normalized position <paramref name="index"/> begins (the original length at the end).</summary>
    public int SourceAtOrAfter(int index) => index < Length ? _sources[index] : OriginalLength;

    internal char[] CharBuffer => _chars;

    internal int[] SourceBuffer => _sources;

    internal void Begin(int originalLength)
    {
        OriginalLength = originalLength;
        Length = 0;
        if (_chars.Length < originalLength)
            Grow(originalLength);
    }

    internal void End(int length) => Length = length;

    /// <summary>Makes room for at least <paramref name="needed"/> chars, keeping the first <paramref name="keep"/>.</summary>
    internal void Grow(int needed, int keep = 0)
    {
        var size = Math.Max(needed, _chars.Length * 2);
        var chars = new char[size];
        var sources = new int[size];
        _chars.AsSpan(0, keep).CopyTo(chars);
        _sources.AsSpan(0, keep).CopyTo(sources);
        _chars = chars;
        _sources = sources;
    }
}
