namespace Conversations.Moderation.Streaming;

/// <summary>Settings for <see cref="OutputWindows"/>.</summary>
public sealed record OutputWindowOptions
{
    /// <summary>Default for <see cref="MinChars"/>.</summary>
    public const int DefaultMinChars = 200;

    /// <summary>Default for <see cref="MaxChars"/>.</summary>
    public const int DefaultMaxChars = 800;

    /// <summary>Default for <see cref="OverlapChars"/>.</summary>
    public const int DefaultOverlapChars = 60;

    /// <summary>A window closes at the first sentence end once it holds at least this many new chars.</summary>
    public int MinChars { get; init; } = DefaultMinChars;

    /// <summary>A window closes at this many new chars even without a sentence end (at the last space before it, if any).</summary>
    public int MaxChars { get; init; } = DefaultMaxChars;

    /// <summary>Chars of the previous window repeated at the start of the next, so a phrase split across two windows is still seen whole.</summary>
    public int OverlapChars { get; init; } = DefaultOverlapChars;
}

/// <summary>
/// Cuts the text an answer has already released into windows for an outside checker (Green's
/// <c>llm_response_moderation</c>): one window per completed sentence run of at least <see cref="OutputWindowOptions.MinChars"/>,
/// or <see cref="OutputWindowOptions.MaxChars"/> without a sentence end. It only watches released text, so it never holds
/// anything back from the user.
/// </summary>
public sealed class OutputWindows(OutputWindowOptions? options = null)
{
    private readonly OutputWindowOptions _options = Validate(options ?? new OutputWindowOptions());
    private readonly System.Text.StringBuilder _pending = new();
    private string _overlap = "";

    /// <summary>Text added and not yet in a window.</summary>
    public int PendingLength => _pending.Length;

    /// <summary>Adds released text; returns the windows it completed (each starting with the overlap of the one before).</summary>
    public IReadOnlyList<string> Add(string released)
    {
        if (string.IsNullOrEmpty(released)) return [];
        _pending.Append(released);
        List<string>? windows = null;
        while (NextCut() is { } cut)
            (windows ??= []).Add(Take(cut));
        return windows ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The answer ended: the rest as a last window, or null when nothing is left.</summary>
    public string? Flush() => _pending.ToString().Trim().Length == 0 ? null : Take(_pending.Length);

    // Where the next window ends: after the first sentence end at or past MinChars, else at MaxChars (the last space before it).
    private int? NextCut()
    {
        var length = _pending.Length;
        if (length < _options.MinChars) return null;
        var limit = Math.Min(length, _options.MaxChars);
        for (var i = _options.MinChars - 1; i < limit; i++)
        {
            if (!IsSentenceEnd(_pending[i])) continue;
            // A '.' inside "3.14" or "example.com" is not an end: it counts once whitespace follows (a last '.' waits for the next char).
            if (_pending[i] == '.' && (i + 1 >= length || !char.IsWhiteSpace(_pending[i + 1]))) continue;
            return i + 1;
        }
        if (length < _options.MaxChars) return null;
        for (var i = _options.MaxChars - 1; i >= _options.MinChars; i--)
            if (char.IsWhiteSpace(_pending[i])) return i + 1;
        return _options.MaxChars;
    }

    private string Take(int count)
    {
        var text = _pending.ToString(0, count);
        _pending.Remove(0, count);
        var window = _overlap + text;
        _overlap = window.Length <= _options.OverlapChars ? window : window[^_options.OverlapChars..];
        return window;
    }

    private static bool IsSentenceEnd(char c) => c is '.' or '!' or '?' or '\n' or '。' or '！' or '？' or '；';

    private static OutputWindowOptions Validate(OutputWindowOptions options)
    {
        if (options.MinChars < 1 || options.MaxChars < options.MinChars || options.OverlapChars < 0)
            throw new ArgumentException("Output windows need 1 <= MinChars <= MaxChars and OverlapChars >= 0.", nameof(options));
        return options;
    }
}
