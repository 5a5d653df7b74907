using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Conversations.Moderation;
using Conversations.Moderation.Engine;
using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Normalization;
using Conversations.Text;

namespace Conversations.Benchmarks.Moderation;

/// <summary>
/// Lexicon scanning throughput (MB/s of UTF-8 input) with 1k/10k/100k words, against .NET's vectorized multi-string
/// search (<see cref="SearchValues{T}"/> of strings) and a compiled Regex alternation.
/// </summary>
/// <remarks>
/// Options: <c>--patterns 1000,10000,100000</c>, <c>--text-kb 2048</c>, <c>--reps 5</c>,
/// <c>--regex-sample-kb 128</c> (the Regex baseline scans a prefix of the text, scaled down as 10k/words above
/// 10k words; its MB/s is per byte it scanned),
/// <c>--regex-max-patterns 100000</c> (above it the baseline is skipped).
/// </remarks>
public sealed class ModerationBenchmarkSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "moderation";

    /// <inheritdoc />
    public string Description => "lexicon scan MB/s (Aho-Corasick vs Regex alternation), 1k/10k/100k words, mixed zh/en text";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var patternCounts = Option(args, "--patterns", smoke ? "1000" : "1000,10000,100000").Split(',').Select(int.Parse).ToArray();
        var textKb = int.Parse(Option(args, "--text-kb", smoke ? "64" : "2048"));
        var reps = int.Parse(Option(args, "--reps", smoke ? "1" : "5"));
        var regexSampleKb = int.Parse(Option(args, "--regex-sample-kb", smoke ? "16" : "128"));
        var regexMaxPatterns = int.Parse(Option(args, "--regex-max-patterns", "100000"));

        var text = MixedTextCorpus.Text(textKb * 1024, seed: 7);
        var textMb = Encoding.UTF8.GetByteCount(text) / 1e6;
        var cjk = text.Count(c => Scripts.IsHan(c));
        output.WriteLine($"# moderation: text {text.Length:N0} chars, {textMb:F2} MB UTF-8, {100.0 * cjk / text.Length:F0}% CJK chars; reps {reps} (median); {Environment.ProcessorCount} cores; load {LoadAverage()}");
        output.WriteLine("# MB/s = MB of UTF-8 input per second; wall / thread-CPU time (CPU time is what the scan itself used when other processes compete for the cores)");
        output.WriteLine("| words | build ms | states | automaton MB | automaton MB/s wall / cpu | matches | normalize+automaton MB/s wall / cpu | engine incl. PII MB/s wall / cpu | SearchValues build ms | SearchValues MB/s wall / cpu | automaton / SearchValues (cpu) | regex build ms | regex MB/s wall / cpu (sample MB) | automaton / regex (cpu) |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        var engine = new ModerationEngine();
        var normalized = ModerationNormalizer.NormalizeForMatching(text);
        foreach (var count in patternCounts)
        {
            var words = MixedTextCorpus.Words(count, seed: count);
            var build = Stopwatch.StartNew();
            var set = CompiledLexiconSet.Compile([new Lexicon("bench", words, RiskLevel.Medium, LexiconAction.Mask)], "bench");
            var buildMs = build.Elapsed.TotalMilliseconds;

            long matches = 0;
            var automatonTime = Median(reps, () => matches = set.Automaton.Count(normalized.Chars));
            var buffer = new NormalizedText(text.Length);
            var normalizeScanTime = Median(reps, () =>
            {
                ModerationNormalizer.NormalizeForMatching(text, buffer);
                set.Automaton.Count(buffer.Chars);
            });
            // The engine works per message: feed it 2 KB pieces as a chat turn would.
            var engineTime = Median(reps, () =>
            {
                for (var i = 0; i < text.Length; i += 2048)
                    engine.Scan(text.AsSpan(i, Math.Min(2048, text.Length - i)), set, ModerationPhase.Output, out _);
            });

            // .NET's own multi-string search over the same normalized text: every position where a word starts.
            var searchWatch = Stopwatch.StartNew();
            var searchValues = SearchValues.Create(words.Distinct().ToArray(), StringComparison.Ordinal);
            var searchBuildMs = searchWatch.Elapsed.TotalMilliseconds;
            long found = 0;
            var searchTime = Median(reps, () => found = CountStarts(normalized.Chars, searchValues));
            var searchRatio = searchTime.Cpu / (automatonTime.Cpu);

            string regexBuild = "skipped", regexRate = "skipped", ratio = "n/a";
            if (count <= regexMaxPatterns)
            {
                // The Regex slows down with the word count; it scans a sample that shrinks as the word count grows.
                var sampleKb = Math.Max(8, (int)(regexSampleKb * Math.Min(1.0, 10_000.0 / count)));
                var regexText = text[..Math.Min(text.Length, sampleKb * 1024)];
                var regexMb = Encoding.UTF8.GetByteCount(regexText) / 1e6;
                var regexWatch = Stopwatch.StartNew();
                var regex = new Regex(string.Join('|', words.Select(Regex.Escape)), RegexOptions.Compiled | RegexOptions.CultureInvariant);
                regex.Count(regexText[..Math.Min(regexText.Length, 256)]); // forces compilation of the matcher
                regexBuild = $"{regexWatch.Elapsed.TotalMilliseconds:F0}";
                var regexTime = Median(Math.Min(reps, 3), () => regex.Count(regexText));
                regexRate = $"{regexMb / regexTime.Wall:F3} / {regexMb / regexTime.Cpu:F3} ({regexMb:F2})";
                ratio = $"{regexTime.Cpu / regexMb / (automatonTime.Cpu / textMb):F0}×";
            }
            output.WriteLine(
                $"| {count:N0} | {buildMs:F0} | {set.Automaton.StateCount:N0} | {set.Automaton.MemoryBytes / 1e6:F1} | {Rate(textMb, automatonTime)} | {matches:N0} | {Rate(textMb, normalizeScanTime)} | {Rate(textMb, engineTime)} | {searchBuildMs:F0} | {Rate(textMb, searchTime)} | {searchRatio:F2}× | {regexBuild} | {regexRate} | {ratio} |");
        }
        WriteBreakdown(text, textMb, reps, output);
        return Task.FromResult(0);
    }

    /// <summary>The engine's word-independent stages on the same 2 KB pieces, to show where its time goes.</summary>
    private static void WriteBreakdown(string text, double textMb, int reps, TextWriter output)
    {
        var matching = new NormalizedText(4096);
        var light = new NormalizedText(4096);
        var spans = new List<Conversations.Moderation.Pii.PiiSpan>();
        var matchingTime = Median(reps, () => ForPieces(text, piece => ModerationNormalizer.NormalizeForMatching(piece, matching)));
        var lightTime = Median(reps, () => ForPieces(text, piece => ModerationNormalizer.NormalizeLight(piece, light)));
        var piiTime = Median(reps, () => ForPieces(text, piece =>
        {
            ModerationNormalizer.NormalizeLight(piece, light);
            spans.Clear();
            Conversations.Moderation.Pii.PiiScanner.Default.Scan(light.Chars, spans);
        }));
        output.WriteLine();
        output.WriteLine("| stage (2 KB pieces, no lexicon) | MB/s wall / cpu |");
        output.WriteLine("|---|---:|");
        output.WriteLine($"| matching normalization | {Rate(textMb, matchingTime)} |");
        output.WriteLine($"| light normalization | {Rate(textMb, lightTime)} |");
        output.WriteLine($"| light normalization + PII detectors | {Rate(textMb, piiTime)} |");
    }

    private delegate void PieceAction(ReadOnlySpan<char> piece);

    private static void ForPieces(string text, PieceAction action)
    {
        for (var i = 0; i < text.Length; i += 2048)
            action(text.AsSpan(i, Math.Min(2048, text.Length - i)));
    }

    /// <summary>Positions in <paramref name="text"/> where one of the words starts, found with <see cref="SearchValues{T}"/>.</summary>
    private static long CountStarts(ReadOnlySpan<char> text, SearchValues<string> words)
    {
        long found = 0;
        for (var at = text.IndexOfAny(words); at >= 0; at = text.IndexOfAny(words))
        {
            found++;
            text = text[(at + 1)..];
        }
        return found;
    }

    /// <summary>
    /// Median wall and thread-CPU seconds over <paramref name="reps"/> runs after warming up: one run for a smoke run
    /// (one rep), otherwise runs for at least half a second. One warm-up run of a fast stage ends before the JIT has
    /// put its optimized code in place (tiering waits 100 ms, then compiles in the background), which made the first
    /// engine row of a run read half its speed.
    /// </summary>
    private static (double Wall, double Cpu) Median(int reps, Action action)
    {
        var warmUp = Stopwatch.StartNew();
        do action();
        while (reps > 1 && warmUp.Elapsed < TimeSpan.FromSeconds(0.5));
        var wall = new double[reps];
        var cpu = new double[reps];
        for (var i = 0; i < reps; i++)
        {
            var cpuStart = ThreadCpuSeconds();
            var sw = Stopwatch.StartNew();
            action();
            wall[i] = sw.Elapsed.TotalSeconds;
            cpu[i] = ThreadCpuSeconds() - cpuStart;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall[reps / 2], cpu[reps / 2]);
    }

    private static string Rate(double mb, (double Wall, double Cpu) time) => $"{mb / time.Wall:F0} / {mb / time.Cpu:F0}";

    /// <summary>CPU seconds used by the calling thread (Linux); falls back to process CPU time elsewhere.</summary>
    private static double ThreadCpuSeconds()
    {
        const int threadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID
        if (OperatingSystem.IsLinux() && NativeMethods.clock_gettime(threadCpuClock, out var ts) == 0)
            return ts.Seconds + ts.Nanoseconds / 1e9;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        public static extern int clock_gettime(int clockId, out TimeSpec time);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
