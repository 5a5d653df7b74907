using System.Collections.Concurrent;

namespace Conversations.IntegrationTests.Cluster;

/// <summary>
/// Fault drills on a three-silo cluster of real processes (zones a, b and c) behind an API host in client mode: a silo
/// killed with SIGKILL while 30 answers stream, and a whole zone lost. Every acknowledged question is kept; turns end
/// with an answer or a retryable error; new turns succeed again within the failure-detection time.
/// </summary>
public sealed class SiloKillDrillTests(ITestOutputHelper output)
{
    private const int Turns = 30;

    [Fact(DisplayName = "Drill: kill -9 one silo of three during 30 streaming turns loses no acknowledged question")]
    public async Task Kill_one_silo_of_three_during_streaming_turns()
    {
        // A steady stream of about 2.5 s per answer, so the kill lands mid-answer.
        await using var cluster = await ProcessCluster.CreateAsync("killdrill", new ModelBehavior { TimePerToken = TimeSpan.FromMilliseconds(40), AnswerTokens = 60 });
        await using var siloA = await cluster.StartSiloAsync("a");
        await using var siloB = await cluster.StartSiloAsync("b");
        await using var siloC = await cluster.StartSiloAsync("c");
        await using var api = await cluster.StartClientApiAsync();
        using var user = await NewUserAsync(cluster, api, "killdrill");

        var ids = new List<string>();
        for (var i = 0; i < Turns; i++) ids.Add(await user.CreateConversationAsync($"drill {i}"));
        Assert.Equal("done", (await user.SendAsync(ids[0], "warm-up question"))[^1].Name);

        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var acknowledged = new ConcurrentDictionary<int, string>();
        var outcomes = new ConcurrentDictionary<int, string>();
        var turns = Enumerable.Range(0, Turns).Select(i => Task.Run(async () =>
        {
            var text = $"drill question {i} ack-marker-{i}";
            try
            {
                using var res = await user.PostMessageAsync(ids[i], text, bound.Token);
                if (res.StatusCode != HttpStatusCode.OK)
                {
                    outcomes[i] = $"refused {(int)res.StatusCode}" + (res.StatusCode == HttpStatusCode.ServiceUnavailable ? "" : ": " + await res.Content.ReadAsStringAsync());
                    return;
                }
                acknowledged[i] = text;
                var turnId = res.Headers.GetValues("Turn-Id").First();
                var events = await ApiClient.ReadEventsAsync(await res.Content.ReadAsStreamAsync(bound.Token), bound.Token, tolerateCut: true);
                events = await user.ResumeUntilEndAsync(ids[i], turnId, events, bound.Token);
                outcomes[i] = events switch
                {
                    [.., { Name: "done" }] => "done",
                    [.., { Name: "error" } e] when e.Data["retryable"]?.GetValue<bool>() == true => "retryable error",
                    [.., var e] => $"ended with {e.Name}: {e.Data.ToJsonString()}",
                    [] => "no events",
                };
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The connection broke before a status: not acknowledged, and the client would send again.
                outcomes.TryAdd(i, "connection failed before an answer");
            }
        })).ToList();

        // The kill lands once most questions are acknowledged and their answers stream (however slow this machine is).
        var waited = Stopwatch.StartNew();
        while (acknowledged.Count < Turns * 2 / 3 && waited.Elapsed < TimeSpan.FromSeconds(60) && !turns.All(t => t.IsCompleted)) await Task.Delay(50);
        await Task.Delay(300);
        output.WriteLine($"{acknowledged.Count} of {Turns} questions acknowledged at the kill");
        var killed = Stopwatch.StartNew();
        siloB.Kill();
        // Meanwhile a new conversation is served again once the cluster has declared the silo dead. Each attempt is a new
        // conversation given 8 s (a turn here takes about 3): one that went to the dead silo before it was declared dead
        // waits for the 30-s response timeout, and the next attempt should not wait behind it.
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var probe = Task.Run(async () =>
        {
            while (true)
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(8));
                var started = killed.Elapsed;
                try
                {
                    var id = await user.CreateConversationAsync("probe", attempt.Token);
                    var events = await user.SendAsync(id, "probe after the kill", attempt.Token);
                    attempts.Enqueue($"{started.TotalSeconds:F1} s: {events[^1].Name}");
                    if (events is [.., { Name: "done" }]) return killed.Elapsed;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or Xunit.Sdk.XunitException or OperationCanceledException)
                {
                    attempts.Enqueue($"{started.TotalSeconds:F1} s: {e.GetType().Name}");
                }
                if (killed.Elapsed > TimeSpan.FromSeconds(90)) return killed.Elapsed;
                await Task.Delay(200);
            }
        });
        await Task.WhenAll(turns);
        var inFlightEnded = killed.Elapsed;
        var firstNewTurn = await probe;
        output.WriteLine($"in-flight turns all ended {inFlightEnded.TotalSeconds:F1} s after the kill; a new conversation was served {firstNewTurn.TotalSeconds:F1} s after it");
        // Failure detection on loopback declares the silo dead in about 2 s (docs/scaling.md); a few seconds more for the
        // gateway list and the first turn's own work.
        Assert.True(firstNewTurn < TimeSpan.FromSeconds(30),
            $"a new conversation was served only {firstNewTurn.TotalSeconds:F1} s after the kill; attempts: {string.Join("; ", attempts)}");
        // A stream that went through the dead silo waits at most for the 30-s response timeout, then resumes or ends retryably.
        Assert.True(inFlightEnded < TimeSpan.FromSeconds(120), $"in-flight turns took {inFlightEnded.TotalSeconds:F1} s to end");
        foreach (var group in outcomes.Values.GroupBy(o => o)) output.WriteLine($"{group.Count(),3} × {group.Key}");
        if (outcomes.Values.Any(o => o.StartsWith("refused 500", StringComparison.Ordinal))) output.WriteLine(api.Log);

        // Every turn ended with an answer, or with an error the client may retry; none hung or failed for good.
        Assert.Equal(Turns, outcomes.Count);
        Assert.All(outcomes.Values, o => Assert.True(o is "done" or "retryable error" or "connection failed before an answer" || o.StartsWith("refused 503", StringComparison.Ordinal), o));
        Assert.True(acknowledged.Count >= Turns * 2 / 3, $"only {acknowledged.Count} of {Turns} sends were acknowledged");

        // New turns succeed on every conversation, including those whose grains lived on the dead silo.
        var retried = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            List<SseEvent>? events = null;
            var last = "";
            while (events is not [.., { Name: "done" }])
            {
                Assert.True(retried.Elapsed < TimeSpan.FromSeconds(90), $"conversation {id} was not served again; last: {last}\n{api.Log[^Math.Min(api.Log.Length, 6000)..]}");
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    events = await user.SendAsync(id, "after the kill", attempt.Token);
                    last = events.Dump();
                }
                catch (Exception e) when (e is HttpRequestException or IOException or Xunit.Sdk.XunitException or OperationCanceledException)
                {
                    last = e.Message;
                    await Task.Delay(250);
                }
            }
        }
        output.WriteLine($"all {Turns} conversations answered a new turn within {retried.Elapsed.TotalSeconds:F1} s");

        // Every acknowledged question is in its conversation's history.
        foreach (var (i, text) in acknowledged)
        {
            var questions = (await user.MessagesAsync(ids[i])).Where(m => m!["role"]!.GetValue<string>() == "user")
                .Select(m => m!["content"]!.GetValue<string>()).ToList();
            Assert.Contains(text, questions);
        }

        // The surviving silos report the SLO metrics on their management ports, and say they are ready.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await http.GetStringAsync(siloA.ManagementUrl + "/metrics") + await http.GetStringAsync(siloC.ManagementUrl + "/metrics");
        Assert.Contains("conversations_turn_time_per_output_token", metrics, StringComparison.Ordinal);
        Assert.Contains("conversations_turn_time_to_first_token", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(siloA.ManagementUrl + "/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(siloA.ManagementUrl + "/dashboard/")).StatusCode);
        Assert.True(siloA.IsRunning && siloC.IsRunning && api.IsRunning, api.Log);
    }

    [Fact(DisplayName = "Drill: losing every silo of one zone keeps the service answering from the other zone")]
    public async Task Lose_a_zone()
    {
        await using var cluster = await ProcessCluster.CreateAsync("zonedrill");
        await using var a1 = await cluster.StartSiloAsync("a");
        await using var a2 = await cluster.StartSiloAsync("a");
        await using var b1 = await cluster.StartSiloAsync("b");
        await using var api = await cluster.StartClientApiAsync();
        using var user = await NewUserAsync(cluster, api, "zonedrill");
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await user.CreateConversationAsync($"zone {i}"));
            Assert.Equal("done", (await user.SendAsync(ids[^1], $"before the outage {i}"))[^1].Name);
        }

        var lost = Stopwatch.StartNew();
        a1.Kill();
        a2.Kill();
        foreach (var id in ids)
        {
            List<SseEvent>? events = null;
            while (events is not [.., { Name: "done" }])
            {
                Assert.True(lost.Elapsed < TimeSpan.FromSeconds(90), $"conversation {id} was not served again 90 s after zone a went down");
                try { events = await user.SendAsync(id, "after zone a went down"); }
                catch (Exception e) when (e is HttpRequestException or IOException or Xunit.Sdk.XunitException) { await Task.Delay(250); }
            }
            var questions = (await user.MessagesAsync(id)).Where(m => m!["role"]!.GetValue<string>() == "user").Select(m => m!["content"]!.GetValue<string>()).ToList();
            Assert.StartsWith("before the outage", questions[0], StringComparison.Ordinal);
        }
        output.WriteLine($"zone a lost: all {ids.Count} conversations served again by {lost.Elapsed.TotalSeconds:F1} s");
        Assert.True(b1.IsRunning, b1.Log);
    }

    private static async Task<ApiClient> NewUserAsync(ProcessCluster cluster, PlatformProcess api, string tenant) =>
        new(api.BaseUrl!, await cluster.NewUserKeyAsync(api, tenant, raiseRateLimits: true)) { MaxResumes = 8 };
}
