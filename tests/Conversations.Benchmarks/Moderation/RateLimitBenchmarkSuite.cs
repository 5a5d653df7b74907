using Conversations.Contracts;
using Conversations.Moderation.RateLimiting;

namespace Conversations.Benchmarks.Moderation;

/// <summary>Rate-limit decisions per second through the grains (user grain, then tenant grain), and the bare bucket.</summary>
/// <remarks>Options: <c>--calls 200000</c>, <c>--concurrency 256</c>, <c>--users 1000</c>.</remarks>
public sealed class RateLimitBenchmarkSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "ratelimit";

    /// <inheritdoc />
    public string Description => "rate-limit decisions/s through the user and tenant grains (in-process silo), latency of one decision";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var calls = int.Parse(Option(args, "--calls", smoke ? "2000" : "200000"));
        var concurrency = int.Parse(Option(args, "--concurrency", "256"));
        var users = int.Parse(Option(args, "--users", smoke ? "50" : "1000"));
        await using var silo = await ModerationSilo.StartAsync();
        var grains = silo.Grains;

        var open = "bench-open";
        await grains.GetGrain<ITenantModerationGrain>(open).UpdateSettingsAsync(new ModerationSettingsPatch
        {
            TenantRequestsPerMinute = ModerationSettings.MaxLimit, UserRequestsPerMinute = ModerationSettings.MaxLimit,
        });
        var flood = "bench-flood";
        await grains.GetGrain<ITenantModerationGrain>(flood).UpdateSettingsAsync(new ModerationSettingsPatch { UserRequestsPerMinute = 1 });

        output.WriteLine($"# ratelimit: one in-process silo, calls through its grain factory (the API's path in \"all\" mode); {Environment.ProcessorCount} cores; {calls:N0} calls per row");
        output.WriteLine("| scenario | decisions/s | p50 µs | p99 µs | admitted |");
        output.WriteLine("|---|---:|---:|---:|---:|");

        // Warm up activations and the JIT.
        await RunAsync(grains, open, users, Math.Min(calls, 5000), concurrency);

        output.WriteLine(Row("1 user, sequential, admitted (user + tenant grain)", await RunAsync(grains, open, 1, Math.Min(calls, 20_000), 1)));
        output.WriteLine(Row($"{users:N0} users, {concurrency} in flight, admitted (user + tenant grain)", await RunAsync(grains, open, users, calls, concurrency)));
        output.WriteLine(Row($"1 user, {concurrency} in flight, refused by the user bucket (no tenant call)", await RunAsync(grains, flood, 1, calls, concurrency)));
        output.WriteLine(Row("bare SlidingWindowLimit.TryTake, one thread (no grain)", BareWindow(calls * 10)));
        return 0;
    }

    private static async Task<Result> RunAsync(IGrainFactory grains, string tenant, int users, int calls, int concurrency)
    {
        var latencies = new double[calls];
        var admitted = 0;
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                var grain = grains.GetGrain<IUserRateLimitGrain>(GrainKeys.Scoped(tenant, $"u{i % users}"));
                var started = Stopwatch.GetTimestamp();
                var decision = await grain.TryAdmitAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                if (decision.Allowed) Interlocked.Increment(ref admitted);
            }
        }));
        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Result(calls / seconds, latencies[calls / 2], latencies[(int)(calls * 0.99)], admitted);
    }

    private static Result BareWindow(int calls)
    {
        var now = DateTimeOffset.UtcNow;
        var window = new SlidingWindowLimit(ModerationSettings.MaxLimit);
        var admitted = 0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
            if (window.TryTake(1, now, out _)) admitted++;
        var rate = calls / sw.Elapsed.TotalSeconds;
        return new Result(rate, 1e6 / rate, double.NaN, admitted);
    }

    private static string Row(string scenario, Result r) =>
        $"| {scenario} | {r.PerSecond:N0} | {r.P50:F1} | {(double.IsNaN(r.P99) ? "–" : r.P99.ToString("F1"))} | {r.Admitted:N0} |";

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private sealed record Result(double PerSecond, double P50, double P99, int Admitted);
}
