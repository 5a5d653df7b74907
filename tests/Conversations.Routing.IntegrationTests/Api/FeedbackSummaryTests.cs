namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>The feedback summary: votes per period, model and route, with masked comments.</summary>
public sealed class FeedbackSummaryTests(RoutingPlatform fx) : RoutingPlatformTests
{
    [Fact(DisplayName = "Votes are summed per day, model and route with the last vote counting; thumbs-down comments are shown with personal data masked; other tenants see none")]
    public async Task Summary_counts_last_votes_and_masks_comments()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false });
        var voted = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var conversation = await t.User.CreateConversationAsync();
            // Each voted answer comes from "large" (a first-token timeout under load would give a backup answer instead).
            var seq = (await t.AskLargeAsync(conversation, $"Compare plan {i} with the alternatives")).Done["assistantMessageSeq"]!.GetValue<long>();
            voted.Add($"/v1/conversations/{conversation}/messages/{seq}/feedback");
        }
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync(voted[0], new { rating = "up" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync(voted[0], new { rating = "down", comment = "Wrong, mail me at bob.smith@example.com" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await t.User.PostAsync(voted[1], new { rating = "up" })).Status);

        // A turn's routing details (its route) are written a moment after the answer, in batches.
        var rows = (await t.GetAsync("/v1/feedback/summary?period=day")).AsArray();
        for (var wait = 0; wait < 50 && rows.Any(r => r!["route"]!.GetValue<string>() == "unknown"); wait++)
        {
            await Task.Delay(100);
            rows = (await t.GetAsync("/v1/feedback/summary?period=day")).AsArray();
        }
        Assert.True(rows.Count == 1, rows.ToJsonString());
        var row = rows[0]!;
        Assert.Equal(("large", "model"), (row["model"]!.GetValue<string>(), row["route"]!.GetValue<string>()));
        Assert.Equal((2, 1, 1), (row["votes"]!.GetValue<int>(), row["up"]!.GetValue<int>(), row["down"]!.GetValue<int>()));
        var comment = Assert.Single(row["recentComments"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("Wrong, mail me at", comment);
        Assert.DoesNotContain("bob.smith@example.com", comment);
        // The listing an admin pages through masks it alike.
        var listed = Assert.Single((await t.GetAsync("/v1/feedback?rating=down"))["votes"]!.AsArray())!["comment"]!.GetValue<string>();
        Assert.Equal(comment, listed);

        await ApiClient.ProblemAsync(await t.Admin.Http.GetAsync("/v1/feedback/summary?period=year"), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.Forbidden, (await t.User.Http.GetAsync("/v1/feedback/summary")).StatusCode);
        using var other = await fx.NewTenantAsync();
        Assert.Empty((await other.GetAsync("/v1/feedback/summary")).AsArray());
    }

    [Fact(DisplayName = "Two users' turns with the same client-chosen turn id keep a routing row each: one user cannot drop or take over another's")]
    public async Task Same_turn_id_in_two_conversations_keeps_two_routing_rows()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large", complexityThreshold = 0.0, exactCache = false, semanticCache = false });
        foreach (var caller in new[] { t.User, t.Admin })
        {
            var conversation = await caller.CreateConversationAsync();
            (await caller.SendAsync(conversation, "Compare the two plans", "shared-turn")).Done();
        }

        // A turn's routing details are written a moment after the answer, in batches.
        await using var db = NpgsqlDataSource.Create(fx.Database.ConnectionString);
        var owners = new List<string>();
        for (var wait = 0; wait < 50 && owners.Count < 2; wait++)
        {
            if (wait > 0) await Task.Delay(100);
            owners.Clear();
            await using var cmd = db.CreateCommand("SELECT user_id FROM routing_turns WHERE tenant_id = $1 AND turn_id = 'shared-turn' ORDER BY user_id");
            cmd.Parameters.AddWithValue(t.TenantId);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) owners.Add(r.GetString(0));
        }
        Assert.Equal(2, owners.Distinct().Count());
    }
}
