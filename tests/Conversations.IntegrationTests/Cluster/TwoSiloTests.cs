namespace Conversations.IntegrationTests.Cluster;

/// <summary>An API host in client mode over two silo processes, on the real ADO.NET clustering and grain storage.</summary>
public sealed class TwoSiloTests
{
    [Fact(DisplayName = "Two silos join through PostgreSQL; killing one loses no acknowledged message and turns go on")]
    public async Task Two_silos_survive_one_kill()
    {
        await using var cluster = await ProcessCluster.CreateAsync("two");
        await using var siloA = await cluster.StartSiloAsync();
        await using var siloB = await cluster.StartSiloAsync();
        await using var api = await cluster.StartClientApiAsync();

        Assert.Equal(2, await ActiveSilosAsync(cluster.Database.ConnectionString));

        using var user = await cluster.NewUserAsync(api, "twosilo");
        // Several conversations, so grains land on both silos.
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = await user.CreateConversationAsync($"c{i}");
            Assert.Equal("done", (await user.SendAsync(id, $"hello {i}"))[^1].Name);
            ids.Add(id);
        }

        siloA.Kill();

        // Calls to the dead silo fail fast until membership declares it dead; a client retries like this.
        foreach (var id in ids)
        {
            List<SseEvent>? events = null;
            for (var attempt = 0; attempt < 40 && events?[^1].Name != "done"; attempt++)
            {
                try { events = await user.SendAsync(id, "after the kill"); }
                catch (Exception) when (attempt < 39) { }
                if (events?[^1].Name != "done") await Task.Delay(500);
            }
            Assert.Equal("done", events![^1].Name);
            var messages = (await user.GetConversationAsync(id))["messages"]!.AsArray();
            var questions = messages.Where(m => m!["role"]!.GetValue<string>() == "user").Select(m => m!["content"]!.GetValue<string>()).ToList();
            Assert.Equal(questions[0], $"hello {ids.IndexOf(id)}");
            Assert.Equal("after the kill", questions[^1]);
        }
        Assert.True(siloB.IsRunning, siloB.Log);
    }

    private static async Task<long> ActiveSilosAsync(string cs)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        // Status 3 is Active in Orleans' membership.
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
