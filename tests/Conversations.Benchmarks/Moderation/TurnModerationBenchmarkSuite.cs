using Conversations.Contracts.Chat;
using Conversations.Grains.Chat;

namespace Conversations.Benchmarks.Moderation;

/// <summary>
/// What moderation adds to a turn's time to first token: the input check (engine with the tenant's compiled lexicons,
/// event write when something is found) plus the output guard up to the first released text, against the pass-through.
/// </summary>
/// <remarks>
/// Options: <c>--iterations 2000</c>, <c>--words 0,1000,10000</c>, <c>--token-ms 25</c> (model's time per token, to express hold-back in ms).
/// The second table streams answers at a model's pace (<c>--paced-first-token-ms 150</c>, <c>--paced-token-ms 15</c>) from
/// <c>--concurrency 1,16,64</c> conversations at once, <c>--paced-turns 12</c> turns each, and measures on the clock what moderation
/// adds to the time to first token: the input check plus the wait from the first delta to the first released text.
/// </remarks>
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

        var firstTokenMs = int.Parse(Option(args, "--paced-first-token-ms", smoke ? "20" : "150"));
        var pacedTokenMs = int.Parse(Option(args, "--paced-token-ms", smoke ? "2" : "15"));
        var concurrencies = Option(args, "--concurrency", smoke ? "1,4" : "1,16,64").Split(',').Select(int.Parse).ToArray();
        var pacedTurns = int.Parse(Option(args, "--paced-turns", smoke ? "2" : "12"));
        output.WriteLine();
        output.WriteLine($"# paced: the model's first token after {firstTokenMs} ms, then {pacedTokenMs} ms a token; {pacedTurns} turns a conversation; " +
            $"{PacedAnswers.Length} answer openings in turn (en, zh, markdown, digits, list); platform lexicons only; load {LoadAverage()}");
        output.WriteLine("| moderation | conversations | turns | added TTFT p50 ms | added TTFT p99 ms | input check p50 / p99 ms | first text after a later delta |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        await MeasurePaced(moderation, "bench-0", 1, 2, firstTokenMs, pacedTokenMs); // warm-up
        foreach (var concurrency in concurrencies)
        {
            output.WriteLine(PacedRow("pass-through", concurrency, await MeasurePaced(new PassThroughModeration(), "pass", concurrency, pacedTurns, firstTokenMs, pacedTokenMs)));
            output.WriteLine(PacedRow("built-in", concurrency, await MeasurePaced(moderation, "bench-0", concurrency, pacedTurns, firstTokenMs, pacedTokenMs)));
        }
        return 0;
    }

    // Answers as models open them; Chinese streams about two chars a token.
    private static readonly string[] PacedAnswers =
    [
        Answer,
        "新员工第一年有15天年假，没有休完的年假可以顺延到次年三月底。如需更多信息请联系人事部。",
        "**Annual leave:** new staff get 15 days in their first year, and unused days carry over until March.",
        "15 days of annual leave in the first year; unused days can be carried over until the end of March.",
        "To carry days over, ask HR before the end of the year; they stay valid until March.",
        "According to the leave policy, new staff get 15 days of annual leave in their first year.",
        "- New staff: 15 days\n- After five years: 20 days\n- Unused days: carried over until March",
        "根据公司规定，新员工每年享有15天带薪年假。",
        "I can help with that: new staff get 15 days of annual leave in their first year.",
    ];

    private static IReadOnlyList<string> PacedDeltas(string answer) =>
        answer.Any(c => Conversations.Text.Scripts.IsHan(c))
            ? Enumerable.Range(0, (answer.Length + 1) / 2).Select(i => answer.Substring(i * 2, Math.Min(2, answer.Length - i * 2))).ToList()
            : ModelStyleDeltas(answer);

    /// <summary>Each conversation runs its turns one after another; the model's deltas arrive on timers, as from a real stream.</summary>
    private static async Task<PacedResult> MeasurePaced(ITurnModeration moderation, string tenant, int concurrency, int turns, int firstTokenMs, int tokenMs)
    {
        var deltas = PacedAnswers.Select(PacedDeltas).ToArray();
        var added = new List<double>();
        var input = new List<double>();
        var late = new int[PacedAnswers.Length];
        var gate = new object();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var caller = new Caller(tenant, $"user{c}", "user");
            for (var t = 0; t < turns; t++)
            {
                var opening = (c + t) % deltas.Length;
                var answer = deltas[opening];
                var started = Stopwatch.GetTimestamp();
                var turn = await moderation.CheckInputAsync(caller, $"c{c}", $"p{c}-{t}-{Guid.NewGuid():n}", English, CancellationToken.None);
                var inputMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await Task.Delay(firstTokenMs); // the model's own time to first token: not moderation's
                var output = turn.StartOutput();
                var firstDelta = Stopwatch.GetTimestamp();
                double? firstText = null;
                for (var n = 0; n < answer.Count; n++)
                {
                    if (n > 0)
                        await Task.Delay(tokenMs);
                    if (output.Push(answer[n]).SafeText.Length > 0 && firstText is null)
                    {
                        firstText = Stopwatch.GetElapsedTime(firstDelta).TotalMilliseconds;
                        if (n > 0)
                            Interlocked.Increment(ref late[opening]);
                    }
                }
                var tail = output.Complete();
                firstText ??= Stopwatch.GetElapsedTime(firstDelta).TotalMilliseconds;
                await turn.FinishAsync(TurnUsage.None, "");
                lock (gate)
                {
                    added.Add(inputMs + firstText.Value);
                    input.Add(inputMs);
                }
            }
        })));
        added.Sort();
        input.Sort();
        var waited = string.Join(", ", late.Select((n, i) => (n, i)).Where(x => x.n > 0).Select(x => $"\"{PacedAnswers[x.i][..Math.Min(12, PacedAnswers[x.i].Length)]}…\""));
        return new PacedResult(added.Count, Percentile(added, 0.50), Percentile(added, 0.99), Percentile(input, 0.50), Percentile(input, 0.99), late.Sum(), waited);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    private static string PacedRow(string mode, int concurrency, PacedResult r) =>
        $"| {mode} | {concurrency} | {r.Turns} | {r.AddedP50:F2} | {r.AddedP99:F2} | {r.InputP50:F2} / {r.InputP99:F2} | {r.Late} of {r.Turns} {(r.Waited.Length > 0 ? "(" + r.Waited + ")" : "")} |";

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

    private sealed record PacedResult(int Turns, double AddedP50, double AddedP99, double InputP50, double InputP99, int Late, string Waited);

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
