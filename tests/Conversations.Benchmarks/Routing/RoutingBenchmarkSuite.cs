using Conversations.Benchmarks.Platform;
using Conversations.Benchmarks.Routing.Workloads;
using Conversations.TestModel.Behavior;

namespace Conversations.Benchmarks.Routing;

/// <summary>
/// Two measurements of the model router. (1) Turn latency through the real platform while the large model is healthy,
/// then while it answers every call with 500, then while it hangs until the first-token timeout — all in one run
/// against the same test model server, with the outage turns split into those before and after the circuit opened.
/// (2) The labeled mixed workload replayed through canned replies, the exact cache and the router: share served
/// cheaply, cost against always-large, share under-served.
/// </summary>
public sealed class RoutingBenchmarkSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "routing";

    /// <inheritdoc />
    public string Description => "turn latency during a large-model outage vs normal; labeled workload cost vs always-large";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var failures = Workload(output);
        failures += await Learned.LearnedRoutingFigures.WriteAsync(output, smoke, args.Contains("--list-errors"));
        if (args.Contains("--labeled-only")) return failures == 0 ? 0 : 1; // the routing figures without the outage run
        failures += await OutageAsync(args, smoke, output);
        return failures == 0 ? 0 : 1;
    }

    private static int Workload(TextWriter output)
    {
        var catalog = WorkloadModels.Catalog();
        var report = new WorkloadEvaluator(catalog, WorkloadModels.Policy()).Evaluate(RoutingWorkload.Questions);
        var n = (double)report.Questions;

        output.WriteLine($"labeled workload: {report.Questions} questions ({RoutingWorkload.Questions.Count(q => q.Needs == ModelTier.Large)} need the large tier), " +
            "prices per 1M tokens small 0.05/0.02/0.20, large 1.60/0.64/6.40, math 0.50/0.20/1.50 USD");
        output.WriteLine("| served by | questions | share |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine($"| hard-coded reply | {report.Outcomes.Count(o => o.ServedBy == ServedBy.HardCodedReply)} | {report.Outcomes.Count(o => o.ServedBy == ServedBy.HardCodedReply) / n:P1} |");
        output.WriteLine($"| exact answer cache | {report.Outcomes.Count(o => o.ServedBy == ServedBy.AnswerCache)} | {report.Outcomes.Count(o => o.ServedBy == ServedBy.AnswerCache) / n:P1} |");
        foreach (var tier in new[] { ModelTier.Small, ModelTier.Domain, ModelTier.Large })
            output.WriteLine($"| {tier.ToString().ToLowerInvariant()} model | {report.ServedByTier(catalog, tier)} | {report.ServedByTier(catalog, tier) / n:P1} |");
        output.WriteLine($"small model, canned reply or cache: {report.CheapShare(catalog):P1}; cost {report.CostUsd:0.000000} vs always-large {report.AlwaysLargeCostUsd:0.000000} USD = " +
            $"{report.CostRatio:P1}; under-served {report.UnderServed} of {report.Questions} = {report.UnderServedShare:P1}");
        output.WriteLine();
        return report.Questions > 0 ? 0 : 1;
    }

    private static async Task<int> OutageAsync(string[] args, bool smoke, TextWriter output)
    {
        var duration = TimeSpan.FromSeconds(smoke ? 1.5 : double.Parse(PlatformLoadSuite.Arg(args, "--seconds") ?? "15"));
        var concurrency = smoke ? 2 : int.Parse(PlatformLoadSuite.Arg(args, "--concurrency") ?? "8");
        var behavior = new ModelBehavior
        {
            TimeToFirstToken = TimeSpan.FromMilliseconds(double.Parse(PlatformLoadSuite.Arg(args, "--ttft-ms") ?? "50")),
            TimePerToken = TimeSpan.FromMilliseconds(double.Parse(PlatformLoadSuite.Arg(args, "--token-ms") ?? "2")),
        };
        var firstTokenTimeout = TimeSpan.FromSeconds(1);

        await using var model = await TestModelServer.StartAsync(new TestModelOptions { Default = behavior, RequestLogCapacity = 0 });
        await using var db = await TestDatabase.CreateAsync("benchroute");
        var settings = PlatformLoadSuite.LoadSettings(db, "route");
        settings.Environment["Models__Chat__FirstTokenTimeout"] = firstTokenTimeout.ToString();
        // No phase measures a stall mid-answer; a short one would fail a turn whenever a loaded host pauses a stream.
        settings.Environment["Models__Chat__StallTimeout"] = "00:00:05";
        settings.Environment["Routing__HealthCacheTtl"] = "00:00:00.2";
        settings.Environment["Routing__ConfigCacheTtl"] = "00:00:00.2";
        settings.Environment["Routing__ConsecutiveFailureThreshold"] = "3";
        settings.Environment["Routing__BreakDuration"] = "00:01:00"; // no probe inside a phase: the phase measures the open circuit
        await using var platform = await PlatformProcess.StartApiAsync(settings);
        var baseUrl = platform.BaseUrl!;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { Timeout = TimeSpan.FromSeconds(60) };

        output.WriteLine($"outage: test model TTFT {behavior.TimeToFirstToken.TotalMilliseconds:0} ms + {behavior.TimePerToken.TotalMilliseconds:0} ms/token " +
            $"({ModelBehavior.DefaultAnswerTokens} tokens), {concurrency} concurrent conversations, {duration.TotalSeconds:0.#} s per phase, " +
            $"policy large → small → extractive, breaker opens after 3 consecutive failures, first-token timeout {firstTokenTimeout.TotalSeconds:0.#} s; " +
            "turn latency = request sent → `done` event");
        output.WriteLine("| phase | turns | turns/s | p50 ms | p99 ms | p99 vs normal | answered by large / small / extractive | failed |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|---:|");

        var failures = 0;
        double? normalP99 = null;
        foreach (var phase in new[] { "warm-up", "normal", "500", "hang" })
        {
            // A tenant and server-side model names of its own per phase, so each phase starts with a closed circuit.
            var tenant = await PlatformLoadSuite.CreateTenantAsync(http, baseUrl, PlatformLoadSuite.OperatorKey, concurrency);
            var largeName = $"large-{phase}-{Guid.NewGuid():n}"[..24];
            await PutModelAsync(http, baseUrl, tenant.AdminKey, "small", "small", $"small-{phase}", model.BaseUrl);
            await PutModelAsync(http, baseUrl, tenant.AdminKey, "large", "large", largeName, model.BaseUrl);
            await PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/routing/policy", tenant.AdminKey, new
            {
                smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, fallbackModelIds = new[] { "small" },
                exactCache = false, semanticCache = false, hardCodedReplies = false,
            });
            await Task.Delay(400); // the config cache
            var conversations = new List<(string Key, string Id)>();
            for (var i = 0; i < concurrency; i++)
                conversations.Add((tenant.UserKeys[i], await PlatformLoadSuite.CreateConversationAsync(http, baseUrl, tenant.UserKeys[i])));

            if (phase == "500") model.Control.SetFault(largeName, FaultRule.Status(500));
            if (phase == "hang") model.Control.SetFault(largeName, FaultRule.Timeout(TimeSpan.FromSeconds(30)));
            using var watch = new CircuitWatch(http, baseUrl, tenant.AdminKey);
            var turns = await RunPhaseAsync(http, baseUrl, conversations, duration);
            model.Control.ClearFault(largeName);

            if (phase == "warm-up") continue; // JIT, connection pools and grain activations; not measured
            if (phase == "normal")
            {
                failures += Row(output, "normal", turns, null);
                normalP99 = LoadStats.Percentile(turns.Where(t => t.Ok).Select(t => t.Ms), 0.99);
                continue;
            }
            var openedAt = watch.OpenedAt;
            failures += Row(output, $"large {(phase == "500" ? "answers 500" : "hangs")}: all turns", turns, normalP99);
            if (openedAt is null)
            {
                // A smoke phase is shorter than three first-token timeouts; a full one must see the breaker open.
                output.WriteLine($"| large {phase}: circuit not open by the end of the phase | | | | | | | |");
                if (!smoke) failures++;
                continue;
            }
            // Turns that started once the health endpoint showed the circuit open: what users see for the rest of the outage.
            var afterOpen = turns.Where(t => t.Started >= openedAt.Value).ToList();
            if (afterOpen.Count > 0 || !smoke)
                failures += Row(output, $"large {(phase == "500" ? "answers 500" : "hangs")}: circuit open (after {openedAt.Value.TotalMilliseconds:0} ms)", afterOpen, normalP99);
        }
        output.WriteLine();
        // Same platform, a fresh tenant: what escalation adds to time to first token and cost.
        failures += await Learned.EscalationPhase.RunAsync(http, baseUrl, PlatformLoadSuite.OperatorKey, model, behavior, smoke, output);
        return failures;
    }

    private static int Row(TextWriter output, string phase, List<Turn> turns, double? normalP99)
    {
        var ok = turns.Where(t => t.Ok).ToList();
        var seconds = turns.Count == 0 ? 1 : Math.Max(0.001, turns.Max(t => (t.Started + TimeSpan.FromMilliseconds(t.Ms)).TotalSeconds) - turns.Min(t => t.Started.TotalSeconds));
        var p50 = LoadStats.Percentile(ok.Select(t => t.Ms), 0.5);
        var p99 = LoadStats.Percentile(ok.Select(t => t.Ms), 0.99);
        var by = string.Join(" / ", new[] { "large", "small", "extractive" }.Select(m => ok.Count(t => t.Model == m)));
        output.WriteLine($"| {phase} | {ok.Count} | {ok.Count / seconds:0.0} | {p50:0} | {p99:0} | {(normalP99 is { } n ? $"{p99 / n:0.00}×" : "1.00×")} | {by} | {turns.Count - ok.Count} |");
        foreach (var failed in turns.Where(t => !t.Ok).Take(3))
            output.WriteLine($"|   failed after {failed.Ms:0} ms: {failed.Failure?.ReplaceLineEndings(" ")} | | | | | | | |");
        return ok.Count == 0 || ok.Count < turns.Count ? 1 : 0;
    }

    private sealed record Turn(TimeSpan Started, double Ms, bool Ok, string? Model, string? Failure = null);

    private static async Task<List<Turn>> RunPhaseAsync(HttpClient http, string baseUrl, List<(string Key, string Id)> conversations, TimeSpan duration)
    {
        var turns = new List<Turn>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(conversations.Select(async (c, i) =>
        {
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                var (ok, model, failure) = await TurnAsync(http, baseUrl, c, $"Explain in detail the trade-offs of option {i}-{n++} for our team");
                lock (turns) turns.Add(new Turn(started, (clock.Elapsed - started).TotalMilliseconds, ok, model, failure));
            }
        }));
        return turns;
    }

    // One turn; ok when the stream ends with `done` and no `error`; the model is the done event's "model" field;
    // a failed turn says why (status and body, or the error event), so a failing run can be read.
    private static async Task<(bool Ok, string? Model, string? Failure)> TurnAsync(HttpClient http, string baseUrl, (string Key, string Id) conversation, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/conversations/{conversation.Id}/messages") { Content = JsonContent.Create(new { text }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", conversation.Key);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode) return (false, null, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            string? eventName = null, model = null, error = null;
            var done = false;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "done")
                {
                    done = true;
                    model = JsonNode.Parse(line[6..])?["model"]?.GetValue<string>();
                }
                else if (eventName == "error") error ??= line;
            }
            return (done && error is null, model, error ?? (done ? null : "the stream ended without `done`"));
        }
        catch (HttpRequestException e)
        {
            return (false, null, e.Message);
        }
    }

    private static Task PutModelAsync(HttpClient http, string baseUrl, string adminKey, string id, string tier, string serverName, string endpoint) =>
        PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/routing/models/{id}", adminKey, new
        {
            endpoint, apiKey = "test-key", modelName = serverName, tier, domains = Array.Empty<string>(),
            inputPerMillion = tier == "large" ? 1.6m : 0.05m, cachedInputPerMillion = tier == "large" ? 0.64m : 0.02m,
            outputPerMillion = tier == "large" ? 6.4m : 0.2m, contextWindowTokens = 128_000, batchDiscount = 0.5m,
        });

    /// <summary>Polls the tenant's health view and remembers when the large model's circuit first showed open.</summary>
    private sealed class CircuitWatch : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public CircuitWatch(HttpClient http, string baseUrl, string adminKey) => _ = PollAsync(http, baseUrl, adminKey);

        public TimeSpan? OpenedAt { get; private set; }

        private async Task PollAsync(HttpClient http, string baseUrl, string adminKey)
        {
            while (!_stop.IsCancellationRequested && OpenedAt is null)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/v1/routing/health");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
                    using var response = await http.SendAsync(request, _stop.Token);
                    var health = JsonNode.Parse(await response.Content.ReadAsStringAsync(_stop.Token))!.AsArray();
                    if (health.Any(h => h!["modelId"]!.GetValue<string>() == "large" && h["health"]!["circuit"]!.GetValue<string>() == "open"))
                        OpenedAt = _clock.Elapsed;
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public void Dispose() => _stop.Cancel();
    }
}
