using Conversations.Benchmarks.Prompting.Replay;

namespace Conversations.Benchmarks.Prompting;

/// <summary>
/// Replays a scripted 50-turn Chinese/English conversation through the prompt pipeline and compares the tokens sent
/// with a client that sends the full history, and how much of each prompt repeats the previous one (cacheable).
/// Options: <c>--turns N</c>, <c>--chunks N</c> (retrieved passages per turn; default: both 0 and 2), <c>--seed N</c>,
/// <c>--seeds N</c> (then also a summary line per seed 1..N, to show how much depends on the one script).
/// </summary>
public sealed class ReplaySuite : IBenchmarkSuite
{
    private const double ReductionTarget = 0.70;
    private const double CachedShareTarget = 0.80;

    /// <inheritdoc />
    public string Name => "replay";

    /// <inheritdoc />
    public string Description => "50-turn conversation replay: prompt tokens vs full history, cacheable prefix share";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var turns = IntOption(args, "--turns") ?? (smoke ? 8 : 50);
        var seed = IntOption(args, "--seed") ?? 7;
        int[] chunkSettings = IntOption(args, "--chunks") is { } c ? [c] : [0, 2];
        var counter = TokenizerRegistry.Shared.ForModel("qwen-plus");

        foreach (var chunks in chunkSettings)
        {
            var options = new ReplayOptions { Turns = turns, Seed = seed, ChunksPerTurn = chunks };
            var watch = Stopwatch.StartNew();
            var result = await new ConversationReplay(options, counter).RunAsync();
            watch.Stop();
            Print(output, result, chunks, turns, watch.Elapsed);
        }
        // The smoke run sweeps two seeds, so the sweep keeps working too.
        if ((IntOption(args, "--seeds") ?? (smoke ? 2 : null)) is { } seeds) await SweepAsync(output, counter, turns, seeds, IntOption(args, "--chunks") ?? 0);
        return 0;
    }

    // The same conversation shape with other words and answer lengths: how much of the result is this one script.
    private static async Task SweepAsync(TextWriter o, ITokenCounter counter, int turns, int seeds, int chunks)
    {
        o.WriteLine();
        o.WriteLine($"seed sweep: seeds 1..{seeds}, {turns} turns, {chunks} retrieved passage(s) per turn");
        o.WriteLine("seed  fewer tokens  cached mean  cached min  (turn)  min after turn 2");
        var results = new List<(double Reduction, double Min, double MinAfterTurn2)>();
        for (var seed = 1; seed <= seeds; seed++)
        {
            var r = await new ConversationReplay(new ReplayOptions { Turns = turns, Seed = seed, ChunksPerTurn = chunks }, counter).RunAsync();
            var steady = r.Turns.Where(t => t.Steady).ToArray();
            var worst = steady.MinBy(t => t.CachedShare);
            var afterTurn2 = steady.Where(t => t.Turn > 2).Select(t => t.CachedShare).DefaultIfEmpty(1).Min();
            results.Add((r.Reduction, worst?.CachedShare ?? 1, afterTurn2));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seed,4}  {r.Reduction,12:P1}  {r.MeanSteadyCachedShare,11:P1}  {worst?.CachedShare ?? 1,10:P1}  {worst?.Turn,6}  {afterTurn2,16:P1}"));
        }
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sweep: fewer tokens {results.Min(x => x.Reduction):P1}–{results.Max(x => x.Reduction):P1}; every steady turn ≥ {CachedShareTarget:P0} in {results.Count(x => x.Min >= CachedShareTarget)} of {seeds} seeds; " +
            $"every steady turn after turn 2 ≥ {CachedShareTarget:P0} in {results.Count(x => x.MinAfterTurn2 >= CachedShareTarget)} of {seeds}; worst {results.Min(x => x.Min):P1}"));
    }

    private static void Print(TextWriter o, ReplayResult r, int chunks, int turns, TimeSpan elapsed)
    {
        var b = r.Budget;
        o.WriteLine();
        o.WriteLine($"replay: {turns} turns, {chunks} retrieved passage(s) per turn, encoding {TokenCounter.O200kBase}; budget {b.ContextBudgetTokens} " +
                    $"(max output {b.MaxOutputTokens}, fold at {b.SummaryThresholdTokens} → {b.SummaryTargetTokens}, summary ≤ {b.MaxSummaryTokens})");
        o.WriteLine("turn  prompt  full-hist  prefix  cached  prefix%  cached%  window  summary  event");
        foreach (var t in r.Turns)
        {
            var events = string.Join(' ', new[]
            {
                t.Folded ? $"fold({t.FoldedTurns})" : null,
                t.MemoryChanged ? "memory" : null,
                t.Trimmed ? "trimmed" : null,
                t.Turn == 1 ? "cold" : null,
            }.Where(e => e is not null));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{t.Turn,4}  {t.PromptTokens,6}  {t.FullHistoryTokens,9}  {t.StablePrefixTokens,6}  {t.CachedPrefixTokens,6}  {t.StablePrefixShare,7:P0}  {t.CachedShare,7:P0}  {t.WindowTurns,6}  {t.SummaryTokens,7}  {events}"));
        }
        var steady = r.Turns.Where(t => t.Steady).ToArray();
        var steadyBelow = steady.Count(t => t.CachedShare < CachedShareTarget);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"totals: sent {r.PromptTokens:N0} vs full history {r.FullHistoryTokens:N0} tokens → {r.Reduction:P1} fewer (target ≥ {ReductionTarget:P0} over 50 turns: {Verdict(r.Reduction >= ReductionTarget, turns)})"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"        steady turns (no fold, no memory change, not the first): {steady.Length}; cached share mean {r.MeanSteadyCachedShare:P1}, min {r.MinSteadyCachedShare:P1}; " +
            $"{steadyBelow} below {CachedShareTarget:P0} (target: none, {Verdict(steadyBelow == 0, turns)})"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"        leading system message alone: mean {r.MeanSteadyStablePrefixShare:P1} of steady prompts; folds {r.Folds}; trimmed turns {r.TrimmedTurns}"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"        input cost with prefix caching (cached at 40 % of input), relative to full history also cached: {r.RelativeInputCost(TokenPrices.Relative):P1}; replay took {elapsed.TotalMilliseconds:F0} ms"));
    }

    // Targets are stated for the 50-turn conversation; shorter runs only show the pipeline works.
    private static string Verdict(bool met, int turns) => turns < 50 ? "n/a for a short run" : met ? "met" : "not met";

    private static int? IntOption(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
