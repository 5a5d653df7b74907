using Orleans.Core.Internal;

namespace Conversations.IntegrationTests.Grains;

/// <summary>The conversation and tenant grains on a test cluster with PostgreSQL storage.</summary>
[Collection(GrainCollection.Name)]
public sealed class ConversationGrainTests(GrainClusterFixture fx)
{
    private async Task<Caller> NewUserAsync()
    {
        var tenant = $"g-{Guid.NewGuid():n}"[..16];
        await using var db = fx.Database.CreateDataSource();
        var store = new TenancyStore(db);
        await store.CreateTenantAsync(tenant, tenant);
        await store.CreateUserAsync(tenant, "alice", "Alice", Roles.User);
        return new Caller(tenant, "alice", Roles.User);
    }

    // A new user's conversation grain, created under the id it is called by (which is its title unless one is given).
    private async Task<(Caller Caller, IConversationGrain Grain)> NewConversationAsync(string conversationId, string? title = null)
    {
        var caller = await NewUserAsync();
        var grain = fx.Cluster.GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, conversationId));
        await grain.CreateAsync(caller, title ?? conversationId);
        return (caller, grain);
    }

    [Fact(DisplayName = "A turn streams events in order and stores the question before the answer")]
    public async Task Turn_streams_in_order()
    {
        var (caller, grain) = await NewConversationAsync("c1", "first");

        var events = new List<ChatEvent>();
        await foreach (var e in grain.SendAsync(new SendMessage(caller, "Paris is the capital of France. What is the capital of France?"))) events.Add(e);

        Assert.IsType<ProgressEvent>(events[0]);
        var done = Assert.IsType<DoneEvent>(events[^1]);
        Assert.True(done.UserMessageSeq < done.AssistantMessageSeq);
        var text = string.Concat(events.OfType<DeltaEvent>().Select(d => d.Text));
        var history = await grain.GetHistoryAsync(caller, null, 10);
        Assert.Equal(["user", "assistant"], history!.Messages.Select(m => m.Role));
        Assert.Equal(text, history.Messages[1].Content);
    }

    [Fact(DisplayName = "A turn is one 'chat turn' span with its outcome and a 'model attempt' child, and names no message text")]
    public async Task Turn_is_traced()
    {
        var caller = await NewUserAsync();
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Conversations.Contracts.Telemetry.PlatformTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var grain = fx.Cluster.GrainFactory.GetGrain<IConversationGrain>(GrainKeys.Scoped(caller.TenantId, "traced"));
        await grain.CreateAsync(caller, "traced");
        await foreach (var _ in grain.SendAsync(new SendMessage(caller, "The gym opens at six. When does the gym open?"))) { }

        var turn = Assert.Single(stopped, a => a.OperationName == "chat turn" && (string?)a.GetTagItem("conversations.conversation_id") == "traced"
            && (string?)a.GetTagItem("conversations.tenant_id") == caller.TenantId);
        Assert.Equal("complete", turn.GetTagItem("conversations.outcome"));
        Assert.True(turn.GetTagItem("conversations.completion_tokens") is int n && n > 0);
        var attempt = Assert.Single(stopped, a => a.OperationName == "model attempt" && a.ParentSpanId == turn.SpanId);
        Assert.Equal("extractive", attempt.GetTagItem("conversations.model"));
        Assert.DoesNotContain(stopped.SelectMany(a => a.Tags), t => t.Value?.Contains("gym", StringComparison.Ordinal) == true);
    }

    [Fact(DisplayName = "Another user, or the same user id in another tenant, sees nothing and cannot send")]
    public async Task Ownership_is_enforced()
    {
        var (caller, grain) = await NewConversationAsync("private");

        var otherUser = caller with { UserId = "bob" };
        var otherTenant = caller with { TenantId = "someone-else" };
        Assert.Null(await grain.GetAsync(otherUser));
        Assert.Null(await grain.GetHistoryAsync(otherTenant, null, 10));
        var events = new List<ChatEvent>();
        await foreach (var e in grain.SendAsync(new SendMessage(otherUser, "let me in"))) events.Add(e);
        Assert.Equal("not_found", Assert.IsType<ErrorEvent>(Assert.Single(events)).Code);
        Assert.False(await grain.DeleteAsync(otherUser));
        Assert.Empty((await grain.GetHistoryAsync(caller, null, 10))!.Messages);
    }

    [Fact(DisplayName = "A question stored without an answer (a crash) is closed as interrupted when the grain activates again")]
    public async Task Dangling_turn_is_closed_on_activation()
    {
        var caller = await NewUserAsync();
        var key = GrainKeys.Scoped(caller.TenantId, "crashed");
        var grain = fx.Cluster.GrainFactory.GetGrain<IConversationGrain>(key);
        await grain.CreateAsync(caller, "crashed");
        await foreach (var _ in grain.SendAsync(new SendMessage(caller, "first question"))) { }

        // What a silo dying mid-turn leaves behind: the question in the log, no answer, and the activation gone.
        await using (var db = fx.Database.CreateDataSource())
        {
            await new ConversationStore(db, TestKeys.Ring(db)).AppendAsync(caller.TenantId, "crashed",
                [new MessageRecord(3, "t-crash", "user", "second question", MessageStatus.Complete, 2, null, DateTimeOffset.UtcNow)]);
        }
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);

        var history = await grain.GetHistoryAsync(caller, null, 10);
        Assert.Equal(4, history!.Messages.Count);
        var last = history.Messages[^1];
        Assert.Equal(("assistant", "t-crash", MessageStatus.Interrupted), (last.Role, last.TurnId, last.Status));
    }

    [Fact(DisplayName = "A question that cannot be stored gets no answer and no 'received': the model call started beside the write is dropped")]
    public async Task Unstored_question_is_not_answered()
    {
        var (caller, grain) = await NewConversationAsync("unstored");
        await foreach (var _ in grain.SendAsync(new SendMessage(caller, "first question"))) { }

        // Another row already holds the next seq, so the grain's insert of the question fails.
        await using (var db = fx.Database.CreateDataSource())
        {
            await new ConversationStore(db, TestKeys.Ring(db)).AppendAsync(caller.TenantId, "unstored",
                [new MessageRecord(3, "t-other", "user", "written elsewhere", MessageStatus.Complete, 2, null, DateTimeOffset.UtcNow)]);
        }

        var events = new List<ChatEvent>();
        await foreach (var e in grain.SendAsync(new SendMessage(caller, "Paris is the capital of France. What is the capital of France?"))) events.Add(e);

        var error = Assert.IsType<ErrorEvent>(Assert.Single(events));
        Assert.Equal("storage_unavailable", error.Code);
        var history = await grain.GetHistoryAsync(caller, null, 10);
        Assert.Equal(["first question", "written elsewhere"], history!.Messages.Where(m => m.Role == "user").Select(m => m.Content));
        Assert.DoesNotContain(history.Messages, m => m.TurnId != "t-other" && m.Seq > 2);
    }

    [Fact(DisplayName = "After the grain is deactivated, a resume from the middle of a finished turn replays the rest of the stored answer, through another silo's factory")]
    public async Task Resume_after_deactivation_replays_the_stored_answer()
    {
        var caller = await NewUserAsync();
        var key = GrainKeys.Scoped(caller.TenantId, "resumed");
        var grain = fx.SiloFactories[0].GetGrain<IConversationGrain>(key);
        await grain.CreateAsync(caller, "resumed");
        const string question = "Paris is the capital of France and Berlin is the capital of Germany. What are the capitals?";
        var start = await grain.StartTurnAsync(new SendMessage(caller, question, "t-resume"));
        Assert.Equal((TurnStartStatus.Started, "t-resume"), (start.Status, start.TurnId));
        var live = new List<TurnEvent>();
        await foreach (var b in grain.WatchTurnAsync(caller, "t-resume", null)) live.AddRange(b.Events);
        var done = Assert.IsType<DoneEvent>(live[^1].Event);
        var text = string.Concat(live.Select(e => e.Event).OfType<DeltaEvent>().Select(d => d.Text));
        Assert.True(text.Length > 4, text);

        // The client had everything up to the middle of the first delta's worth of events.
        var cut = live.FindIndex(e => e.Event is DeltaEvent);
        Assert.True(TurnEventId.TryParse(live[cut].Id, out var lastSeen));
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);

        var other = fx.SiloFactories[^1].GetGrain<IConversationGrain>(key);
        Assert.Equal(TurnState.Finished, await other.GetTurnStateAsync(caller, "t-resume"));
        var rest = new List<TurnEvent>();
        await foreach (var b in other.WatchTurnAsync(caller, "t-resume", lastSeen)) rest.AddRange(b.Events);
        var seenText = string.Concat(live.Take(cut + 1).Select(e => e.Event).OfType<DeltaEvent>().Select(d => d.Text));
        Assert.Equal(text, seenText + string.Concat(rest.Select(e => e.Event).OfType<DeltaEvent>().Select(d => d.Text)));
        var replayedDone = Assert.IsType<DoneEvent>(rest[^1].Event);
        Assert.Equal((done.UserMessageSeq, done.AssistantMessageSeq, "stop"), (replayedDone.UserMessageSeq, replayedDone.AssistantMessageSeq, replayedDone.FinishReason));
        Assert.True(TurnEventId.TryParse(rest[0].Id, out var firstReplayed) && firstReplayed.Index == lastSeen.Index + 1);

        // The same turn id again with the same question is the finished turn, not a second question; with another
        // question it is refused by the stored fingerprint, unless the question was stored without one (before they were kept).
        Assert.Equal(TurnStartStatus.Finished, (await other.StartTurnAsync(new SendMessage(caller, question, "t-resume"))).Status);
        Assert.Equal(TurnStartStatus.Mismatch, (await other.StartTurnAsync(new SendMessage(caller, "again", "t-resume"))).Status);
        await using (var db = fx.Database.CreateDataSource())
        await using (var clear = db.CreateCommand("UPDATE messages SET request_fingerprint = NULL WHERE tenant_id = @t AND conversation_id = 'resumed'"))
        {
            clear.Parameters.AddWithValue("t", caller.TenantId);
            await clear.ExecuteNonQueryAsync();
        }
        Assert.Equal(TurnStartStatus.Finished, (await other.StartTurnAsync(new SendMessage(caller, "again", "t-resume"))).Status);
        Assert.Equal(2, (await other.GetHistoryAsync(caller, null, 10))!.Messages.Count);
        Assert.Equal(TurnState.Unknown, await other.GetTurnStateAsync(caller with { UserId = "bob" }, "t-resume"));
    }

    [Fact(DisplayName = "Deltas that wait in the turn's buffer go out as one event, whose id resumes after all of them")]
    public async Task Buffered_deltas_go_out_as_one()
    {
        var (caller, grain) = await NewConversationAsync("batched");
        var live = new List<TurnEvent>();
        await foreach (var e in grain.SendAsync(new SendMessage(caller, "Paris is the capital of France and Berlin is the capital of Germany. What are the capitals?", "t-batched")))
            live.Add(new TurnEvent("", e));
        var text = string.Concat(live.Select(e => e.Event).OfType<DeltaEvent>().Select(d => d.Text));
        Assert.True(text.Length > 4, text);

        // The turn has ended, so all its events wait in the buffer: a watcher from the start gets them in one batch
        // (one grain round trip), and all its deltas as one.
        var batches = new List<TurnEventBatch>();
        await foreach (var b in grain.WatchTurnAsync(caller, "t-batched", null)) batches.Add(b);
        var all = Assert.Single(batches).Events.ToList();
        var delta = Assert.Single(all, e => e.Event is DeltaEvent);
        Assert.Equal(text, ((DeltaEvent)delta.Event).Text);
        Assert.True(TurnEventId.TryParse(delta.Id, out var id));
        Assert.Equal(text.Length, id.Chars);

        var rest = new List<TurnEvent>();
        await foreach (var b in grain.WatchTurnAsync(caller, "t-batched", id)) rest.AddRange(b.Events);
        Assert.IsType<DoneEvent>(Assert.Single(rest).Event);
        Assert.True(TurnEventId.TryParse(rest[0].Id, out var doneId) && doneId.Index == id.Index + 1);
    }

    [Fact(DisplayName = "One call starts and watches a turn: its first batch says how the start went, and a conversation that is not the caller's gets that answer alone")]
    public async Task Send_turn_starts_and_watches_in_one_call()
    {
        var (caller, grain) = await NewConversationAsync("one-call");
        var batches = new List<TurnEventBatch>();
        await foreach (var b in grain.SendTurnAsync(new SendMessage(caller, "Paris is the capital of France. What is the capital of France?", "t-one-call")))
            batches.Add(b);
        Assert.Equal((TurnStartStatus.Started, "t-one-call"), (batches[0].Start!.Status, batches[0].Start!.TurnId));
        Assert.NotEmpty(batches[0].Events);
        Assert.All(batches.Skip(1), b => Assert.Null(b.Start));
        var events = batches.SelectMany(b => b.Events).ToList();
        Assert.IsType<DoneEvent>(events[^1].Event);
        // Ids go up across batches (merged deltas take the last one's number, so they need not be consecutive).
        var numbers = events.Select(e => TurnEventId.TryParse(e.Id, out var id) ? id.Index : -1).ToList();
        Assert.Equal(numbers.Order().Distinct(), numbers);
        Assert.True(numbers[0] >= 1);

        var stranger = caller with { UserId = "mallory" };
        var refused = new List<TurnEventBatch>();
        await foreach (var b in grain.SendTurnAsync(new SendMessage(stranger, "What did they ask?"))) refused.Add(b);
        var only = Assert.Single(refused);
        Assert.Equal(TurnStartStatus.NotFound, only.Start!.Status);
        Assert.Empty(only.Events);
        Assert.Equal(2, (await grain.GetHistoryAsync(caller, null, 10))!.Messages.Count);
    }

    [Fact(DisplayName = "Tenant settings updates are validated, versioned and stored")]
    public async Task Tenant_settings()
    {
        var caller = await NewUserAsync();
        var tenant = fx.Cluster.GrainFactory.GetGrain<ITenantGrain>(caller.TenantId);
        var before = await tenant.GetSettingsAsync();
        var after = await tenant.UpdateSettingsAsync(new TenantSettingsPatch { Instructions = "Be brief.", MaxOutputTokens = 256 });
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(("Be brief.", 256), (after.Instructions, after.MaxOutputTokens));
        await Assert.ThrowsAsync<ArgumentException>(() => tenant.UpdateSettingsAsync(new TenantSettingsPatch { MaxOutputTokens = 5 }));
        Assert.Equal(after, await tenant.GetSettingsAsync());
    }
}
