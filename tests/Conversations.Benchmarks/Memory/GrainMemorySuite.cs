using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Grains.Chat;
using Conversations.Hosting;
using Conversations.Prompting.History;
using Conversations.Storage.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Conversations.Benchmarks.Memory;

/// <summary>
/// Managed memory of conversation activations in a real silo on PostgreSQL: an idle one (activated, no log) and one
/// with its recent window loaded after N turns, and what a reactivation (state + window read) costs.
/// </summary>
/// <remarks>
/// Options: <c>--conversations 2000</c> per row, <c>--turns 5,20,50</c> (question + answer each), <c>--sample 200</c>
/// reactivations timed one by one. Memory is the managed heap after full, compacting collections before and after
/// the activations, divided by their number.
/// </remarks>
public sealed class GrainMemorySuite : IBenchmarkSuite
{
    private const string Tenant = "mem";
    private static readonly Caller User = new(Tenant, "u1", Roles.User);

    /// <inheritdoc />
    public string Name => "grain-memory";

    /// <inheritdoc />
    public string Description => "managed bytes per conversation activation (idle, and with a window of N turns), and reactivation time";

    /// <summary>The last run's rows, for the smoke test.</summary>
    public List<MemoryRow> Rows { get; } = [];

    /// <summary>Turns of the real-turn row that ended with an error event (the row measures nothing useful then).</summary>
    public int RealTurnErrors { get; private set; }

    /// <summary>The idle time after which the silo deactivates a conversation, as the last run found it.</summary>
    public TimeSpan CollectionAge { get; private set; }

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var count = int.Parse(Option(args, "--conversations", smoke ? "100" : "2000"));
        var turnLevels = Option(args, "--turns", smoke ? "2" : "5,20,50").Split(',').Select(int.Parse).ToArray();
        var sample = int.Parse(Option(args, "--sample", smoke ? "20" : "200"));

        var database = await TestDatabase.CreateAsync("mem");
        await database.CreateTenantAsync(Tenant);
        await database.CreateUserAsync(Tenant, User.UserId);
        var host = await StartSiloAsync(database.ConnectionString);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var store = host.Services.GetRequiredService<ConversationStore>();
            var management = grains.GetGrain<IManagementGrain>(0);
            output.WriteLine($"# grain-memory: one in-process silo (ADO.NET grain storage, sealed state) on PostgreSQL; {count:N0} conversations a row; " +
                $"{Environment.ProcessorCount} cores; server GC {System.Runtime.GCSettings.IsServerGC}");
            output.WriteLine("| conversations | turns in window | messages loaded | managed bytes / activation | of which window (vs idle) | window bytes / message | reactivation p50 / p99 ms (one at a time) | reactivations/s (64 at once) |");
            output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");

            // Idle: activated, no conversation behind it (no state, empty window).
            var idleIds = Enumerable.Range(0, count).Select(i => GrainKeys.Scoped(Tenant, $"idle-{i}")).ToList();
            await WarmUpAsync(grains, management);
            var before = await SettledHeapAsync(management, collect: true);
            await ParallelCalls(grains, idleIds, 64);
            var after = await SettledHeapAsync(management, collect: false);
            var idle = (after - before) / (double)count;
            Rows.Add(new MemoryRow(0, 0, idle));
            output.WriteLine($"| {count:N0} | idle (no log) | 0 | {idle:N0} | – | – | – | – |");

            foreach (var turns in turnLevels)
            {
                var ids = Enumerable.Range(0, count).Select(i => $"t{turns}-{i}").ToList();
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
                {
                    await grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(Tenant, id)).CreateAsync(User, "Leave policy questions");
                    await store.AppendAsync(Tenant, id, Log(id, turns), ct: ct);
                });
                var keys = ids.Select(id => GrainKeys.Scoped(Tenant, id)).ToList();
                before = await SettledHeapAsync(management, collect: true);
                var rate = await ParallelCalls(grains, keys, 64);
                after = await SettledHeapAsync(management, collect: false);
                var perGrain = (after - before) / (double)count;
                var messages = Math.Min(turns * 2, 200);
                Rows.Add(new MemoryRow(turns, messages, perGrain));

                // One at a time: the latency a returning user's first call pays.
                await management.ForceActivationCollection(TimeSpan.Zero);
                var times = new List<double>();
                foreach (var key in keys.Take(sample))
                {
                    var sw = Stopwatch.StartNew();
                    await grains.GetGrain<IConversationGrain>(key).GetAsync(User);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                output.WriteLine($"| {count:N0} | {turns} | {messages} | {perGrain:N0} | {perGrain - idle:N0} | {(perGrain - idle) / messages:N0} | " +
                    $"{Pct(times, 0.50):0.0} / {Pct(times, 0.99):0.0} | {rate:N0} |");
                await management.ForceActivationCollection(TimeSpan.Zero);
            }
            // Turns through the grain's own path (the built-in extractive model): what an activation holds right after its
            // turns: window, the finished turns kept for resumes, the prompt's inputs, and what the turns still hold outside
            // the grain for a while (their tasks and buffers); an upper bound of an active conversation.
            var realConversations = int.Parse(Option(args, "--real-conversations", smoke ? "10" : "200"));
            var realTurns = int.Parse(Option(args, "--real-turns", smoke ? "3" : "20"));
            if (realConversations > 0 && realTurns > 0)
            {
                var keys = Enumerable.Range(0, realConversations).Select(i => GrainKeys.Scoped(Tenant, $"real-{i}")).ToList();
                foreach (var key in keys) await grains.GetGrain<IConversationGrain>(key).CreateAsync(User, "Leave policy questions");
                before = await SettledHeapAsync(management, collect: true);
                var sw = Stopwatch.StartNew();
                var errors = 0;
                await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, ct) =>
                {
                    var grain = grains.GetGrain<IConversationGrain>(key);
                    for (var t = 0; t < realTurns; t++)
                        await foreach (var e in grain.SendAsync(new SendMessage(User, $"{Context(t)} {Question(t)} ({key})"), ct))
                            if (e is ErrorEvent) Interlocked.Increment(ref errors);
                });
                var turnSeconds = sw.Elapsed.TotalSeconds;
                if (errors > 0) output.WriteLine($"# {errors} of {realConversations * realTurns} real turns ended with an error");
                RealTurnErrors = errors;
                after = await SettledHeapAsync(management, collect: false);
                var live = (after - before) / (double)realConversations;
                var messages = Math.Min(realTurns * 2, 200);
                Rows.Add(new MemoryRow(-realTurns, messages, live));
                output.WriteLine($"| {realConversations:N0} | {realTurns}, real turns, right after them | {messages} | {live:N0} | {live - idle:N0} | {(live - idle) / messages:N0} | – | {realConversations * realTurns / turnSeconds:N0} turns/s |");
                await management.ForceActivationCollection(TimeSpan.Zero);
            }

            // The idle age the silo applies to conversations (the grain's [CollectionAgeLimit], else GrainCollectionOptions).
            var conversationType = grains.GetGrain<IConversationGrain>(GrainKeys.Scoped(Tenant, "any")).GetGrainId().Type;
            CollectionAge = host.Services.GetRequiredService<GrainTypeSharedContextResolver>().GetComponents(conversationType).CollectionAgeLimit;
            output.WriteLine($"# conversations are deactivated after {CollectionAge.TotalMinutes:0.#} idle minutes");
            output.WriteLine($"# questions ~{Question(0).Length} chars, answers ~{Answer(0).Length} chars with 3 citations; window capacity {host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatOptions>>().Value.RecentWindowMessages} messages");
            return 0;
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
            await database.DisposeAsync();
        }
    }

    /// <summary>One measured row: turns in the window (0 = idle, negative = real turns, measured right after them), messages, managed bytes per activation.</summary>
    public sealed record MemoryRow(int Turns, int Messages, double BytesPerActivation);

    private static async Task<IHost> StartSiloAsync(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{HostingExtensions.ConnectionStringName}"] = connectionString,
                ["Encryption:MasterKeyFile"] = TestKeys.MasterKeyFile,
            })
            .Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPlatformServices(configuration).AddChat(configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(PlatformProcess.FreePort(), PlatformProcess.FreePort(), serviceId: "mem", clusterId: "mem-" + Guid.NewGuid().ToString("n")[..6]);
            silo.AddPlatformGrainStorage(connectionString);
            silo.UseSiloMetadata();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    // Loads the code paths (serializers, pools, the store's statements) so the first row does not pay for them.
    private static async Task WarmUpAsync(IGrainFactory grains, IManagementGrain management)
    {
        var ids = Enumerable.Range(0, 50).Select(i => GrainKeys.Scoped(Tenant, $"warm-{i}")).ToList();
        foreach (var id in ids) await grains.GetGrain<IConversationGrain>(id).CreateAsync(User, "warm");
        await management.ForceActivationCollection(TimeSpan.Zero);
        await ParallelCalls(grains, ids, 16);
        await management.ForceActivationCollection(TimeSpan.Zero);
    }

    // Activates each conversation with a read; returns activations per second.
    private static async Task<double> ParallelCalls(IGrainFactory grains, IReadOnlyList<string> keys, int concurrency)
    {
        var sw = Stopwatch.StartNew();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (key, _) => await grains.GetGrain<IConversationGrain>(key).GetAsync(User));
        return keys.Count / sw.Elapsed.TotalSeconds;
    }

    // The managed heap after full blocking, compacting collections; optionally after deactivating everything idle first.
    private static async Task<long> SettledHeapAsync(IManagementGrain management, bool collect)
    {
        if (collect) await management.ForceActivationCollection(TimeSpan.Zero);
        // Deactivations finish (and finished turns drop their buffers) after the call returns: wait for a steady heap.
        var last = long.MaxValue;
        for (var round = 0; round < 20; round++)
        {
            await Task.Delay(collect ? 500 : 200);
            var heap = FullCollection();
            if (Math.Abs(heap - last) < 256 * 1024) return Math.Min(heap, last);
            last = heap;
        }
        return last;
    }

    private static long FullCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    // A conversation log of realistic length: short questions, answers of a few paragraphs citing the knowledge base.
    private static List<MessageRecord> Log(string id, int turns)
    {
        var messages = new List<MessageRecord>(turns * 2);
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        for (var t = 0; t < turns; t++)
        {
            var turnId = $"{id}-{t}";
            messages.Add(new MessageRecord(2 * t + 1, turnId, ChatRoles.User, Question(t), MessageStatus.Complete, 40, null, at));
            messages.Add(new MessageRecord(2 * t + 2, turnId, ChatRoles.Assistant, Answer(t), MessageStatus.Complete, 260, "small-1", at,
                [new CitationRecord("doc-handbook", "Staff handbook 2026", t, 0.82), new CitationRecord("doc-leave", "Leave policy", 3, 0.77),
                 new CitationRecord("doc-faq", "HR questions and answers", 12, 0.71)]));
        }
        return messages;
    }

    // The extractive model answers from the question's own text, so a paragraph before the question gives it an answer of realistic length.
    private static string Context(int t) => Answer(t).Replace($"Answer {t}: ", "", StringComparison.Ordinal);

    private static string Question(int t) =>
        $"Question {t}: how many days of annual leave do new staff get in their first year, and can unused days be carried over to next year?";

    private static string Answer(int t) =>
        $"Answer {t}: new staff get 15 days of annual leave in their first year, rising by one day for each full year of service up to 25 days. " +
        "Unused days can be carried over until the end of March of the following year; anything left after that lapses unless your manager " +
        "approved a longer carry-over in writing because of workload. Part-time staff get the same entitlement pro rata to their contracted hours. " +
        "To book leave, open the HR portal, choose Time off, pick the dates and submit; your manager is notified and answers within two working days. " +
        "Public holidays are not counted against your allowance. If you are ill during your leave, tell HR on the first day and the days can be " +
        "turned into sick leave with a doctor's note. See the staff handbook, section 4.2, and the leave policy for the details and exceptions.";

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
