namespace Conversations.Benchmarks.Platform;

/// <summary>
/// Load generator: N concurrent conversations drive the real platform process over HTTP against a zero-latency test model,
/// and the same model is called directly in the same run, so the platform's added time to first token is a difference
/// measured under the same conditions. Three tables: closed loop (saturated), paced at a share of that throughput, and
/// closed loop against a model of realistic speed (<c>--model-ttft-ms</c>, <c>--model-token-ms</c>).
/// </summary>
public sealed class PlatformLoadSuite : IBenchmarkSuite
{
    /// <summary>The operator key of the platform processes the load suites start.</summary>
    internal const string OperatorKey = "cvk_benchop_platform-benchmark-operator";

    /// <inheritdoc />
    public string Name => "platform";

    /// <inheritdoc />
    public string Description => "turns/s and added time-to-first-token at 1/16/64 concurrent conversations vs the model called directly";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var levels = smoke ? new[] { 1, 4 } : Arg(args, "--concurrency")?.Split(',').Select(int.Parse).ToArray() ?? [1, 16, 64];
        var duration = TimeSpan.FromSeconds(smoke ? 1 : double.Parse(Arg(args, "--seconds") ?? "10"));
        // The platform process JIT-compiles and tiers up some 20,000 methods (Orleans, ASP.NET Core, Npgsql, Semantic Kernel)
        // in its first minute; on 2 cores that background compilation competes with the turns, so measure after it.
        var warmup = TimeSpan.FromSeconds(smoke ? 0.5 : double.Parse(Arg(args, "--warmup") ?? "20"));

        await using var model = await TestModelServer.StartAsync(new TestModelOptions { RequestLogCapacity = 0 });
        await using var db = await TestDatabase.CreateAsync("bench");
        var settings = LoadSettings(db, "bench");
        settings.Environment["Models__Chat__Endpoint"] = model.BaseUrl;
        settings.Environment["Models__Chat__ModelId"] = "test-model";
        // --platform-env K=V,K=V: runtime or platform settings for the platform process only (the load generator keeps its own).
        foreach (var pair in (Arg(args, "--platform-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--platform-env expects KEY=VALUE pairs separated by commas, got '{pair}'.");
            settings.Environment[pair[..eq]] = pair[(eq + 1)..];
        }
        // --silos N: N silo processes behind an API host in client mode, instead of one process that is both.
        var siloCount = int.Parse(Arg(args, "--silos") ?? "0");
        await using var silos = new Processes();
        for (var s = 0; s < siloCount; s++) silos.Add(await PlatformProcess.StartSiloAsync(settings));
        await using var platform = await PlatformProcess.StartApiAsync(settings, siloCount > 0 ? "client" : "all");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        var users = await CreateUsersAsync(http, platform.BaseUrl!, levels.Max());
        // Each level starts fresh conversations, one per worker, so no level inherits another's history.
        async Task<List<(string Key, string Id)>> NewConversationsAsync(int count)
        {
            var list = new List<(string Key, string Id)>(count);
            for (var i = 0; i < count; i++) list.Add((users[i], await CreateConversationAsync(http, platform.BaseUrl!, users[i])));
            return list;
        }

        // One measured platform phase with what it cost: the message log's commits during it, and the platform process's
        // CPU and context switches per turn.
        async Task<((LoadStats Stats, double Seconds) Phase, double? Commits, string PerTurn)> PlatformPhaseAsync(
            int c, List<(string Key, string Id)> conversations, TimeSpan? interval = null)
        {
            var commits = await LogCommitsAsync(http, platform.BaseUrl!, siloCount);
            await using var load = ProcessLoad.Start(platform.ProcessId);
            var phase = await RunPhaseAsync(c, duration, i => PlatformTurnAsync(http, platform.BaseUrl!, conversations[i]), interval);
            var perTurn = await load.PerTurnAsync(phase.Stats.Completed);
            return (phase, await LogCommitsAsync(http, platform.BaseUrl!, siloCount) - commits, perTurn);
        }

        output.WriteLine($"platform load: zero-latency test model, {duration.TotalSeconds:0.#} s per phase, {Environment.ProcessorCount} cores, "
            + (siloCount > 0 ? $"{siloCount} silo process(es) behind an API host" : "one process (API + silo)"));
        output.WriteLine("| concurrent | direct model turns/s | platform turns/s | direct TTFT p50 / p99 ms | platform TTFT p50 / p99 ms | added p50 / p99 ms | failed | log commits/s (per turn) | platform CPU ms / context switches (voluntary + involuntary) per turn |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failures = 0;
        var saturated = new Dictionary<int, double>();
        foreach (var c in levels)
        {
            var conversations = await NewConversationsAsync(c);

            var shortWarmup = TimeSpan.FromSeconds(Math.Min(3, warmup.TotalSeconds));
            await RunPhaseAsync(c, shortWarmup, i => DirectTurnAsync(http, model.BaseUrl, i));
            var direct = await RunPhaseAsync(c, duration, i => DirectTurnAsync(http, model.BaseUrl, i));
            await RunPhaseAsync(c, c == levels[0] ? warmup : shortWarmup, i => PlatformTurnAsync(http, platform.BaseUrl!, conversations[i]));
            var (viaPlatform, commits, perTurn) = await PlatformPhaseAsync(c, conversations);

            failures += WriteRow(output, c, $"{direct.Stats.Completed / direct.Seconds:0}", direct, viaPlatform, commits, perTurn);
            saturated[c] = viaPlatform.Stats.Completed / viaPlatform.Seconds;
        }

        // Closed-loop workers keep the machine saturated, so their latency is mostly waiting behind other turns (Little's
        // law). Paced workers send at a fixed share of the throughput measured above: the latency added when not saturated.
        var share = double.Parse(Arg(args, "--paced-share") ?? "0.5", System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine();
        output.WriteLine($"paced at {share:P0} of each level's platform turns/s above (open loop: each conversation sends on a fixed schedule)");
        output.WriteLine("| concurrent | offered turns/s | platform turns/s | direct TTFT p50 / p99 ms | platform TTFT p50 / p99 ms | added p50 / p99 ms | failed | log commits/s (per turn) | platform CPU ms / context switches (voluntary + involuntary) per turn |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in levels.Where(l => l > 1))
        {
            var rate = Math.Max(1, saturated[c] * share);
            var interval = TimeSpan.FromSeconds(c / rate);
            var conversations = await NewConversationsAsync(c);
            var direct = await RunPhaseAsync(c, duration, i => DirectTurnAsync(http, model.BaseUrl, i), interval);
            var (viaPlatform, commits, perTurn) = await PlatformPhaseAsync(c, conversations, interval);
            failures += WriteRow(output, c, $"{rate:0}", direct, viaPlatform, commits, perTurn);
        }

        // A model of realistic speed: each conversation spends most of a turn waiting for tokens, so the platform works at
        // a small share of its capacity and the difference is what it adds to a user's first token at that concurrency.
        var modelTtft = TimeSpan.FromMilliseconds(smoke ? 20 : double.Parse(Arg(args, "--model-ttft-ms") ?? "150", System.Globalization.CultureInfo.InvariantCulture));
        var modelToken = TimeSpan.FromMilliseconds(smoke ? 1 : double.Parse(Arg(args, "--model-token-ms") ?? "15", System.Globalization.CultureInfo.InvariantCulture));
        model.Control.Default = model.Control.Default with { TimeToFirstToken = modelTtft, TimePerToken = modelToken };
        output.WriteLine();
        output.WriteLine($"closed loop against a test model with {modelTtft.TotalMilliseconds:0} ms to the first token and {modelToken.TotalMilliseconds:0} ms per token " +
                         $"({model.Control.Default.AnswerTokens} tokens an answer)");
        output.WriteLine("| concurrent | direct model turns/s | platform turns/s | direct TTFT p50 / p99 ms | platform TTFT p50 / p99 ms | added p50 / p99 ms | failed | log commits/s (per turn) | platform CPU ms / context switches (voluntary + involuntary) per turn |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in levels)
        {
            var conversations = await NewConversationsAsync(c);
            var direct = await RunPhaseAsync(c, duration, i => DirectTurnAsync(http, model.BaseUrl, i));
            var (viaPlatform, commits, perTurn) = await PlatformPhaseAsync(c, conversations);
            failures += WriteRow(output, c, $"{direct.Stats.Completed / direct.Seconds:0}", direct, viaPlatform, commits, perTurn);
        }
        return failures == 0 ? 0 : 1;
    }

    // One table row: the second column is the direct model's turns/s, or the offered rate when paced; then the message
    // log's transactions during the platform phase (per second, and per completed turn), and what each turn cost the
    // platform process (CPU, context switches). Returns the failures.
    private static int WriteRow(TextWriter output, int concurrency, string second, (LoadStats Stats, double Seconds) direct, (LoadStats Stats, double Seconds) viaPlatform,
        double? logCommits, string load)
    {
        var (d, p) = (direct.Stats, viaPlatform.Stats);
        var commits = logCommits is { } n ? $"{n / viaPlatform.Seconds:0} ({n / Math.Max(1, p.Completed):0.00})" : "–";
        output.WriteLine($"| {concurrency} | {second} | {p.Completed / viaPlatform.Seconds:0} | " +
            $"{d.Percentile(0.5):0.00} / {d.Percentile(0.99):0.00} | {p.Percentile(0.5):0.00} / {p.Percentile(0.99):0.00} | " +
            $"{p.Percentile(0.5) - d.Percentile(0.5):0.00} / {p.Percentile(0.99) - d.Percentile(0.99):0.00} | {p.Failed + d.Failed} | {commits} | {load} |");
        return p.Failed + d.Failed + (p.Completed == 0 ? 1 : 0);
    }

    // The platform's count of message-log transactions (conversations.storage.commits on its /metrics); null when the
    // silos run in other processes, whose metrics the API host does not serve.
    private static async Task<double?> LogCommitsAsync(HttpClient http, string baseUrl, int siloCount)
    {
        if (siloCount > 0) return null;
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) return null;
        var text = await response.Content.ReadAsStringAsync();
        // A sample line: name{labels} value [timestamp].
        return text.Split('\n').Where(l => l.StartsWith("conversations_storage_commits_total", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    // Closed loop without an interval; with one, each worker starts turn k at start + offset + k·interval (or at once when late).
    private static async Task<(LoadStats Stats, double Seconds)> RunPhaseAsync(int concurrency, TimeSpan duration, Func<int, Task<(double TtftMs, bool Ok)>> turn,
        TimeSpan? interval = null)
    {
        var stats = new LoadStats();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async i =>
        {
            var next = interval is { } first ? first * i / concurrency : TimeSpan.Zero; // spread the workers over one interval
            while (clock.Elapsed < duration)
            {
                if (interval is { } every)
                {
                    if (next > clock.Elapsed) await Task.Delay(next - clock.Elapsed);
                    next += every;
                    if (clock.Elapsed >= duration) break;
                }
                var (ttft, ok) = await turn(i);
                stats.Add(ttft, ok);
            }
        });
        await Task.WhenAll(workers);
        return (stats, clock.Elapsed.TotalSeconds);
    }

    private static async Task<(double, bool)> DirectTurnAsync(HttpClient http, string modelUrl, int worker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, modelUrl + "/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model = "test-model",
                stream = true,
                stream_options = new { include_usage = true },
                messages = new object[] { new { role = "system", content = "You are helpful." }, new { role = "user", content = $"question from worker {worker}" } },
            }),
        };
        return await TimeStreamAsync(http, request, "\"content\":");
    }

    private static async Task<(double, bool)> PlatformTurnAsync(HttpClient http, string baseUrl, (string Key, string Id) conversation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/conversations/{conversation.Id}/messages")
        {
            Content = JsonContent.Create(new { text = "What is the status of my request?" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", conversation.Key);
        return await TimeStreamAsync(http, request, "event: delta", requireLine: "event: done");
    }

    // Time from sending the request to the first line carrying answer text; the rest of the stream is read to the end.
    private static async Task<(double, bool)> TimeStreamAsync(HttpClient http, HttpRequestMessage request, string firstTokenMarker, string? requireLine = null)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode) return (0, false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            double? ttft = null;
            var sawRequired = requireLine is null;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (ttft is null && line.Contains(firstTokenMarker, StringComparison.Ordinal)) ttft = clock.Elapsed.TotalMilliseconds;
                if (!sawRequired && line == requireLine) sawRequired = true;
            }
            return (ttft ?? 0, ttft is not null && sawRequired);
        }
        catch (HttpRequestException)
        {
            return (0, false);
        }
    }

    /// <summary>Settings of a platform process under load: the operator key, quiet logs, no per-key limit, steady failure detection.</summary>
    internal static PlatformProcess.Settings LoadSettings(TestDatabase db, string cluster) =>
        new(db.ConnectionString, cluster + "-" + Guid.NewGuid().ToString("n")[..8])
        {
            Environment =
            {
                ["Bootstrap__OperatorKey"] = OperatorKey,
                ["Logging__LogLevel__Default"] = "Warning",
                ["Api__RateLimit__PerKeyPerMinute"] = "0", // the suites measure the platform, not the per-key limit
                ["Orleans__FastFailureDetection"] = "false",
            },
        };

    private static async Task<List<string>> CreateUsersAsync(HttpClient http, string baseUrl, int count) =>
        (await CreateTenantAsync(http, baseUrl, OperatorKey, count)).UserKeys;

    /// <summary>
    /// A new tenant with <paramref name="users"/> users and their keys; its rate limits are lifted, since a load test
    /// measures throughput, not the per-user limits (60 requests/minute by default).
    /// </summary>
    internal static async Task<(string TenantId, string AdminKey, List<string> UserKeys)> CreateTenantAsync(HttpClient http, string baseUrl, string operatorKey, int users)
    {
        var tenant = $"bench-{Guid.NewGuid():n}"[..20];
        var created = await PostAsync(http, $"{baseUrl}/v1/tenants", operatorKey, new { tenantId = tenant });
        var adminKey = created["adminKey"]!.GetValue<string>();
        await SendJsonAsync(http, HttpMethod.Patch, $"{baseUrl}/v1/moderation/settings", adminKey, new
        {
            userRequestsPerMinute = 10_000_000, userTokensPerMinute = 1_000_000_000, tenantRequestsPerMinute = 10_000_000, tenantTokensPerMinute = 1_000_000_000,
        });
        var keys = new List<string>();
        for (var i = 0; i < users; i++)
        {
            await PostAsync(http, $"{baseUrl}/v1/users", adminKey, new { userId = $"user{i}" });
            keys.Add((await PostAsync(http, $"{baseUrl}/v1/users/user{i}/keys", adminKey, null))["key"]!.GetValue<string>());
        }
        return (tenant, adminKey, keys);
    }

    internal static async Task<string> CreateConversationAsync(HttpClient http, string baseUrl, string key) =>
        (await PostAsync(http, $"{baseUrl}/v1/conversations", key, new { title = "load" }))["conversationId"]!.GetValue<string>();

    internal static Task<JsonNode> PostAsync(HttpClient http, string url, string key, object? body) => SendJsonAsync(http, HttpMethod.Post, url, key, body);

    private static int _serviceBusyRetries;

    /// <summary>How many set-up requests answered 503 and were sent again after their Retry-After.</summary>
    internal static int ServiceBusyRetries => Volatile.Read(ref _serviceBusyRetries);

    /// <summary>
    /// Sends JSON with a key and returns the parsed answer; anything but 2xx throws with the body. A 503 is sent again
    /// after its Retry-After, twice at most, as the API asks of its clients (every request sent here is idempotent).
    /// </summary>
    internal static async Task<JsonNode> SendJsonAsync(HttpClient http, HttpMethod method, string url, string key, object? body)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url)
            {
                Content = body is null ? new StringContent("", Encoding.UTF8) : JsonContent.Create(body),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 3)
            {
                Interlocked.Increment(ref _serviceBusyRetries);
                await Task.Delay(response.Headers.RetryAfter?.Delta is { } wait && wait < TimeSpan.FromSeconds(10) ? wait : TimeSpan.FromSeconds(1));
                continue;
            }
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {text}");
            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        }
    }

    internal static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    // The silo processes of a --silos run, killed when the run ends.
    private sealed class Processes : List<PlatformProcess>, IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var p in this) await p.DisposeAsync();
        }
    }
}
