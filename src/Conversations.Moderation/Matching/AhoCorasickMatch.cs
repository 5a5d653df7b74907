namespace Conversations.Moderation.Matching;

/// <summary>One occurrence of a pattern: its id and the [Start, End) range in the scanned text.</summary>
public readonly record struct AhoCorasickMatch(int PatternId, int Start, int End);

/// <summary>Receives matches during a scan; a struct sink keeps the scan loop free of virtual calls and allocation.</summary>
public interface IMatchSink
{
    /// <summary>Called for every occurrence, in order of end position (all overlapping occurrences are reported).</summary>
    void OnMatch(int patternId, int start, int end);
}

/// <summary>A sink that appends matches to a caller-owned list (reuse the list to avoid allocation).</summary>
internal readonly struct ListMatchSink(List<AhoCorasickMatch> matches) : IMatchSink
{
    /// <inheritdoc />
    public void OnMatch(int patternId, int start, int end) => matches.Add(new AhoCorasickMatch(patternId, start, end));
}

/// <summary>A sink that only counts matches (benchmarks).</summary>
internal struct CountingMatchSink : IMatchSink
{
    /// <summary>Matches seen so far.</summary>
    public long Count;

    /// <inheritdoc />
    public void OnMatch(int patternId, int start, int end) => Count++;
}
