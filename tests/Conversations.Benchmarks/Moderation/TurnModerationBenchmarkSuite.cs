using Conversations.Contracts.Chat;
using Conversations.Grains.Chat;

namespace Conversations.Benchmarks.Moderation;

/// <summary>
/// What moderation adds to a turn's time to first token: the input check (engine with the tenant's compiled lexicons,
/// event write when something is found) plus the output guard up to the first released text, against the pass-through.
/// </summary>
/// <remarks>Options: <c>--iterations 2000</c>, <c>--words 0,1000,10000</c>, <c>--token-ms 25</c> (model's time per token, to express hold-back in ms).</remarks>
public sealed class TurnModerationBenchmarkSuite : IBenchmarkSuite
{
    private const string English = "How many days of annual leave do new staff get in their first year, and can unused days be carried over to next year?";
    private const string Chinese = "新员工第一年有多少天年假？没有休完的年假可以顺延到明年吗？请说明具体的规定和申请流程。";
    private const string WithPhone = "My phone is 13812345678 and the VPN rejects my login; how do I reset my access to the internal portal?";
    private const string Answer = "New staff get 15 days of annual leave in their first year. Unused days can be carried over until the end of March. Ask HR if you need more detail.";

    /// <inheritdoc />
    public string Name => "turn-moderation";

    /// <inheritdoc />
    public string Description => "moderation's added time to first token: input check + output guard to the first released text, vs pass-through";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var iterations = int.Parse(Option(args, "--iterations", smoke ? "50" : "2000"));
        var wordCounts = Option(args, "--words", smoke ? "0,1000" : "0,1000,10000").Split(',').Select(int.Parse).ToArray();
        var tokenMs = double.Parse(Option(args, "--token-ms", "25"), System.Globalization.CultureInfo.InvariantCulture);
        await using var silo = await ModerationSilo.StartAsync();
        var moderation = silo.Services.GetRequiredService<ITurnModeration>();
        var deltas = ModelStyleDeltas(Answer);

        output.WriteLine($"# turn-moderation: in-process silo, real ITurnModeration (events to PostgreSQL); {iterations:N0} turns per row; {Environment.ProcessorCount} cores");
        output.WriteLine($"# answer streamed as {deltas.Count} word deltas; hold-back in ms assumes {tokenMs} ms per token");
        output.WriteLine("| moderation | tenant words | question | input check p50 / p99 µs | guard CPU to first text p50 µs | deltas held before first text | added TTFT at p50 (CPU + hold-back) |");
        output.WriteLine("|---|---:|---|---:|---:|---:|---:|");

        var passThrough = Measure(new PassThroughModeration(), "pass", English, deltas, iterations);
        output.WriteLine(Row("pass-through", 0, "en", await passThrough, tokenMs, baselineHeld: 1));
        foreach (var words in wordCounts)
        {
            var tenant = $"bench-{words}";
            if (words > 0)
                await silo.Grains.GetGrain<ITenantLexiconGrain>(tenant).PutAsync(
                    new LexiconDefinition("bench", MixedTextCorpus.Words(words, seed: words), "medium", "mask", "customized", default));
            await Measure(moderation, tenant, English, deltas, 5); // compile and warm up
            output.WriteLine(Row("built-in", words, "en", await Measure(moderation, tenant, English, deltas, iterations), tokenMs, 1));
            output.WriteLine(Row("built-in", words, "zh", await Measure(moderation, tenant, Chinese, deltas, iterations), tokenMs, 1));
            output.WriteLine(Row("built-in", words, "en + phone (event written)", await Measure(moderation, tenant, WithPhone, deltas, Math.Min(iterations, 500)), tokenMs, 1));
        }
        return 0;
    }

    private static async Task<Result> Measure(ITurnModeration moderation, string tenant, string question, IReadOnlyList<string> deltas, int iterations)
    {
        var caller = new Caller(tenant, "alice", "user");
        var input = new double[iterations];
        var guard = new double[iterations];
        var held = 0;
        for (var i = 0; i < iterations; i++)
        {
            var turnId = $"t{i}-{Guid.NewGuid():n}";
            var started = Stopwatch.GetTimestamp();
            var turn = await moderation.CheckInputAsync(caller, "c1", turnId, question, CancellationToken.None);
            input[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;

            started = Stopwatch.GetTimestamp();
            var output = turn.StartOutput();
            var n = 0;
            while (n < deltas.Count && output.Push(deltas[n++]).SafeText.Length == 0) { }
            guard[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            held = n;
            while (n < deltas.Count) output.Push(deltas[n++]);
            output.Complete();
            await turn.FinishAsync(TurnUsage.None, "");
        }
        Array.Sort(input);
        Array.Sort(guard);
        return new Result(input[iterations / 2], input[(int)(iterations * 0.99)], guard[iterations / 2], held);
    }

    // Like the test model and most providers: one word a chunk, the space kept with the word after it.
    private static List<string> ModelStyleDeltas(string text)
    {
        var words = text.Split(' ');
        return words.Select((w, i) => i == 0 ? w : " " + w).ToList();
    }

    private static string Row(string mode, int words, string question, Result r, double tokenMs, int baselineHeld)
    {
        var addedMs = (r.InputP50 + r.GuardP50) / 1000 + (r.Held - baselineHeld) * tokenMs;
        return $"| {mode} | {words:N0} | {question} | {r.InputP50:F0} / {r.InputP99:F0} | {r.GuardP50:F1} | {r.Held} | {addedMs:F1} ms |";
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private sealed record Result(double InputP50, double InputP99, double GuardP50, int Held);
}
