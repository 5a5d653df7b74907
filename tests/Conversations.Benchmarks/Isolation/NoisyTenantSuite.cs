using System.Diagnostics;
using Conversations.Benchmarks.Platform;

namespace Conversations.Benchmarks.Isolation;

/// <summary>
/// One tenant's users while another tenant uploads: a quiet tenant's user asks questions one after another (each turn
/// embeds its question and searches the knowledge base, with the local embedding model), first alone, then while a
/// noisy tenant's admin runs several large uploads at once on the same platform process. The figures are the quiet
/// user's whole-turn times in both phases, from the same run, and the uploads' chunks/s. Then the quiet tenant's admin
/// uploads one small document, alone (before the noisy uploads) and during them: how long another tenant's bulk work
/// holds back a tenant's own upload.
/// </summary>
public sealed class NoisyTenantSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "isolation";

    /// <inheritdoc />
    public string Description => "a tenant's turn times alone and while another tenant runs concurrent uploads (local embeddings)";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var turns = smoke ? 3 : int.Parse(PlatformLoadSuite.Arg(args, "--turns") ?? "30");
        var uploads = smoke ? 1 : int.Parse(PlatformLoadSuite.Arg(args, "--uploads") ?? "4");
        var docsPerUpload = smoke ? 2 : int.Parse(PlatformLoadSuite.Arg(args, "--documents") ?? "10");
        var sentences = smoke ? 20 : 400;

        await using var db = await TestDatabase.CreateAsync("noisy");
        await using var platform = await PlatformProcess.StartApiAsync(PlatformLoadSuite.LoadSettings(db, "noisy"));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            return await MeasureAsync(http, platform.BaseUrl!, smoke, turns, uploads, docsPerUpload, sentences, output);
        }
        catch (InvalidOperationException e)
        {
            // The platform's own account of a refusal (a 503 names the exception it answered for) goes with the failure.
            var refusals = platform.Log.Split('\n').Where(l => l.Contains("answered 503", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
            throw new InvalidOperationException(e.Message + "\nplatform log:\n" + string.Join('\n', refusals.TakeLast(20)), e);
        }
    }

    private static async Task<int> MeasureAsync(
        HttpClient http, string baseUrl, bool smoke, int turns, int uploads, int docsPerUpload, int sentences, TextWriter output)
    {
        var (_, quietAdmin, quietUsers) = await PlatformLoadSuite.CreateTenantAsync(http, baseUrl, PlatformLoadSuite.OperatorKey, 1);
        var (_, noisyAdmin, _) = await PlatformLoadSuite.CreateTenantAsync(http, baseUrl, PlatformLoadSuite.OperatorKey, 0);
        await PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/acl/roles/staff", quietAdmin, new { labels = new[] { "handbook" } });
        await PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/acl/users/user0/roles", quietAdmin, new { roles = new[] { "staff" } });
        await PlatformLoadSuite.PostAsync(http, $"{baseUrl}/v1/knowledge/documents", quietAdmin, new
        {
            documents = new[] { new { id = "handbook", title = "Handbook", label = "handbook", content = "Parental leave is 16 weeks at full pay. Annual leave is 25 days." } },
        });
        var conversation = await PlatformLoadSuite.CreateConversationAsync(http, baseUrl, quietUsers[0]);
        await TurnTimesAsync(http, baseUrl, quietUsers[0], conversation, smoke ? 1 : 5); // warm-up

        var alone = await TurnTimesAsync(http, baseUrl, quietUsers[0], conversation, turns);
        var smallText = string.Join(' ', Enumerable.Repeat("Expense claims are filed within thirty days with the receipts attached.", smoke ? 5 : 60));
        var smallAlone = await UploadSecondsAsync(http, baseUrl, quietAdmin, "small-alone", smallText);
        var text = string.Join(' ', Enumerable.Repeat("The quarterly report describes revenue growth across the sales regions and the hiring plan for engineering.", sentences));
        var clock = Stopwatch.StartNew();
        var running = Enumerable.Range(0, uploads).Select(u => PlatformLoadSuite.PostAsync(http, $"{baseUrl}/v1/knowledge/documents", noisyAdmin, new
        {
            documents = Enumerable.Range(0, docsPerUpload).Select(d => new { id = $"u{u}-d{d}", title = $"Report {u}.{d}", label = "reports", content = $"{u}.{d} {text}" }).ToArray(),
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(smoke ? 0.2 : 2)); // the uploads are past reading their bodies and embedding
        var during = await TurnTimesAsync(http, baseUrl, quietUsers[0], conversation, turns);
        var duringEnded = clock.Elapsed;
        var smallDuring = await UploadSecondsAsync(http, baseUrl, quietAdmin, "small-during", smallText);
        var smallEnded = clock.Elapsed;
        var noisyDone = running.Count(t => t.IsCompleted);
        var chunks = (await Task.WhenAll(running)).Sum(r => r["documents"]!.AsArray().Sum(d => d!["chunkCount"]!.GetValue<int>()));
        var uploadSeconds = clock.Elapsed.TotalSeconds;

        output.WriteLine($"isolation: one process, {Environment.ProcessorCount} cores, local embeddings; {turns} sequential turns of a quiet tenant's user, "
            + $"then {turns} more while another tenant runs {uploads} uploads of {docsPerUpload} documents at once");
        output.WriteLine("| phase | turns | p50 ms | p90 ms | max ms |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        Row(output, "alone", alone);
        Row(output, "during the uploads", during);
        output.WriteLine();
        output.WriteLine($"p50 during / alone: {Median(during) / Median(alone):0.00}; max during / alone: {during.Max() / alone.Max():0.00}; "
            + $"the quiet turns ended {duringEnded.TotalSeconds:0.0} s into the uploads, which stored {chunks} chunks in {uploadSeconds:0.0} s = {chunks / uploadSeconds:0} chunks/s");
        output.WriteLine($"the quiet tenant's one-document upload ({smallAlone.Chunks} chunks): alone {smallAlone.Seconds * 1000:0} ms, "
            + $"during the uploads {smallDuring.Seconds * 1000:0} ms (ended {smallEnded.TotalSeconds:0.0} s into them, {noisyDone} of {uploads} noisy uploads done by then); "
            + $"during / alone {smallDuring.Seconds / smallAlone.Seconds:0.0}");
        if (PlatformLoadSuite.ServiceBusyRetries > 0) output.WriteLine($"requests answered 503 and sent again: {PlatformLoadSuite.ServiceBusyRetries}");
        return 0;
    }

    private static void Row(TextWriter output, string phase, List<double> ms) =>
        output.WriteLine($"| {phase} | {ms.Count} | {Median(ms):0} | {LoadStats.Percentile(ms, 0.9):0} | {ms.Max():0} |");

    private static double Median(List<double> ms) => LoadStats.Percentile(ms, 0.5);

    // One document uploaded and stored (the answer comes when it is searchable): seconds, and its chunks.
    private static async Task<(double Seconds, int Chunks)> UploadSecondsAsync(HttpClient http, string baseUrl, string adminKey, string id, string text)
    {
        var clock = Stopwatch.StartNew();
        var result = await PlatformLoadSuite.PostAsync(http, $"{baseUrl}/v1/knowledge/documents", adminKey, new
        {
            documents = new[] { new { id, title = "Expenses", label = "handbook", content = text } },
        });
        return (clock.Elapsed.TotalSeconds, result["documents"]![0]!["chunkCount"]!.GetValue<int>());
    }

    // Whole-turn times (request sent to the stream's end), one turn after another.
    private static async Task<List<double>> TurnTimesAsync(HttpClient http, string baseUrl, string key, string conversation, int count)
    {
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/conversations/{conversation}/messages")
            {
                Content = JsonContent.Create(new { text = $"How long is parental leave? ({i})" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode || !body.Contains("event: done", StringComparison.Ordinal))
                throw new InvalidOperationException($"turn {i}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }
}
