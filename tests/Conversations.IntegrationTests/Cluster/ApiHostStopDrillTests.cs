namespace Conversations.IntegrationTests.Cluster;

/// <summary>
/// The API-host drill: two API hosts over one silo; the host streaming an answer is killed, and the client resumes the
/// same turn through the other host from its last event id, getting the rest of the answer exactly once.
/// </summary>
public sealed class ApiHostStopDrillTests(ITestOutputHelper output)
{
    [Fact(DisplayName = "Drill: killing the API host mid-answer; the other host keeps serving and the client resumes the turn through it")]
    public async Task Client_resumes_through_the_other_api_host()
    {
        await using var cluster = await ProcessCluster.CreateAsync("apistop", new ModelBehavior { TimePerToken = TimeSpan.FromMilliseconds(60), AnswerTokens = 60 });
        await using var silo = await cluster.StartSiloAsync();
        await using var hostA = await cluster.StartClientApiAsync();
        await using var hostB = await cluster.StartClientApiAsync();
        var key = await cluster.NewUserKeyAsync(hostA, "apistop");
        using var viaA = new ApiClient(hostA.BaseUrl!, key);
        using var viaB = new ApiClient(hostB.BaseUrl!, key) { MaxResumes = 8 };
        var id = await viaA.CreateConversationAsync("drill");

        using var res = await viaA.PostMessageAsync(id, "What is the leave policy?");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var turnId = res.Headers.GetValues("Turn-Id").First();
        // Read a few deltas, then the host dies under the stream.
        var stream = await res.Content.ReadAsStreamAsync();
        var seen = new List<SseEvent>();
        using (var reader = new StreamReader(stream))
        {
            string? name = null, eventId = null, data = null;
            while (seen.Count(e => e.Name == "delta") < 3 && await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) eventId = line[4..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
                else if (line.Length == 0 && data is not null)
                {
                    // An event ends at its blank line, once its name, data and id have all arrived.
                    seen.Add(new SseEvent(name ?? "message", JsonNode.Parse(data)!, eventId));
                    (name, eventId, data) = (null, null, null);
                }
            }
            var killed = Stopwatch.StartNew();
            hostA.Kill();

            // The other host serves new requests at once, and the client resumes the turn through it.
            var rest = await viaB.ResumeUntilEndAsync(id, turnId, seen);
            output.WriteLine($"resumed through the other host {killed.ElapsedMilliseconds} ms after the kill");
            Assert.True(rest is [.., { Name: "done" }], rest.Dump());
            var stored = (await viaB.MessagesAsync(id))[^1]!["content"]!.GetValue<string>();
            Assert.Equal(stored, rest.AnswerText()); // every piece exactly once, none lost at the cut
        }
        Assert.Equal("done", (await viaB.SendAsync(id, "And after the host went away?"))[^1].Name);
        Assert.True(hostB.IsRunning && silo.IsRunning, hostB.Log);
    }
}
