namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>One tenant's many offline batches: a few run at once, the others wait their turn, and a full queue takes no more.</summary>
public sealed class BatchQueueTests(RoutingPlatform fx) : RoutingPlatformTests
{
    private const int Prompts = 3;

    [Fact(DisplayName = "A tenant's batches run at most Routing:BatchJobsRunningPerTenant at a time, the others waiting (waitingFor queue) and starting first come first served as jobs end; a submission past Routing:BatchJobsQueuedPerTenant unfinished jobs is a 429 batch_queue_full that stores nothing; a cancelled waiting job frees its place; another tenant's batch is not held behind them")]
    public async Task Jobs_take_turns_on_the_tenants_slots()
    {
        using var t = await fx.NewTenantAsync();
        await t.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        using var other = await fx.NewTenantAsync();
        await other.SetPolicyAsync(new { smallModelId = "small", largeModelId = "large" });
        var (model, othersModel) = (t.ServerName("small"), other.ServerName("small"));
        // About a quarter of a second a prompt: long enough for jobs to overlap, short enough for the test.
        var slow = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(150), TimePerToken = TimeSpan.FromMilliseconds(10), AnswerTokens = 10 };
        fx.Model.Control.SetModel(model, slow);
        fx.Model.Control.SetModel(othersModel, slow);
        try
        {
            var jobs = new List<string>();
            for (var k = 0; k < RoutingPlatform.BatchJobsQueued; k++) jobs.Add(await SubmitAsync(t.User, k));

            // The queue is full: refused with a problem that says so, and nothing of it is stored or listed.
            var refused = await t.User.Http.PostAsJsonAsync("/v1/batches", new { modelId = "small", prompts = new[] { "One prompt too many" } });
            var problem = await ApiClient.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Equal("batch_queue_full", problem["code"]!.GetValue<string>());
            Assert.Equal(RoutingPlatform.BatchJobsQueued, problem["limitJobs"]!.GetValue<int>());
            Assert.True(problem["retryable"]!.GetValue<bool>());
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal(RoutingPlatform.BatchJobsQueued, (await t.Admin.GetJsonAsync("/v1/batches"))["jobs"]!.AsArray().Count);
            var othersJob = await SubmitAsync(other.User, 0);

            // The last job waits for a slot and says so; cancelled while it waits, it ends and frees its place in the queue.
            var last = jobs[^1];
            await WaitUntilAsync(async () => (await t.User.GetJsonAsync($"/v1/batches/{last}"))["waitingFor"]?.GetValue<string>() == "queue");
            var cancelled = await t.User.Http.PostAsync($"/v1/batches/{last}/cancel", null);
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());
            jobs[^1] = await SubmitAsync(t.User, RoutingPlatform.BatchJobsQueued);

            // Both tenants' jobs finish, every prompt answered; meanwhile this tenant's model never had more calls at once
            // than the slots (each job makes one at a time), and it had that many.
            var counters = fx.Model.Counters.ForModel(model);
            var mostAtOnce = 0L;
            var done = new Dictionary<string, JsonNode>();
            var all = jobs.Append(othersJob).ToList();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (done.Count < all.Count && DateTime.UtcNow < deadline)
            {
                mostAtOnce = Math.Max(mostAtOnce, counters.Active);
                foreach (var job in all.Where(j => !done.ContainsKey(j)))
                {
                    var view = await (job == othersJob ? other.User : t.User).GetJsonAsync($"/v1/batches/{job}");
                    if (view["status"]!.GetValue<string>() == "completed") done[job] = view;
                }
                await Task.Delay(5);
            }
            Assert.Equal(all.Count, done.Count);
            Assert.All(done.Values, v => Assert.Equal(Prompts, v["succeeded"]!.GetValue<int>()));
            Assert.Equal(RoutingPlatform.BatchJobsRunning, mostAtOnce);

            // Never more than the slots: the j-th job to make its first model call (from 0) made it only after j - slots + 1
            // of the tenant's jobs had completed (a job ends before it gives its slot back). The other tenant's job did not
            // wait for them: its first call came before this tenant's last job's.
            var completions = jobs.Select(j => done[j]["completedAt"]!.GetValue<DateTimeOffset>()).Order().ToList();
            var firstCalls = jobs.Select((_, k) => FirstCall(model, k < jobs.Count - 1 ? k : RoutingPlatform.BatchJobsQueued)).ToList();
            var startOrder = firstCalls.Order().ToList();
            for (var j = RoutingPlatform.BatchJobsRunning; j < startOrder.Count; j++)
                Assert.True(startOrder[j] >= completions[j - RoutingPlatform.BatchJobsRunning], $"the job started {j + 1}th began at {startOrder[j]:O}, before {j - RoutingPlatform.BatchJobsRunning + 1} jobs had ended");
            // First come, first served: five jobs were ahead of it, so it ran only once four of them had ended.
            Assert.True(firstCalls[^1] >= completions[jobs.Count - 1 - RoutingPlatform.BatchJobsRunning], $"the job submitted last began at {firstCalls[^1]:O}");
            Assert.True(FirstCall(othersModel, 0) < firstCalls[^1]);
        }
        finally
        {
            fx.Model.Control.RemoveModel(model);
            fx.Model.Control.RemoveModel(othersModel);
        }
    }

    // When the model first received a prompt of the k-th submission (its prompts name it) under that model name.
    private DateTimeOffset FirstCall(string modelName, int k) =>
        fx.Model.Requests.Where(r => r.Model == modelName && r.Messages.Any(m => m.Content.Contains($"Summarize report {k} ", StringComparison.Ordinal)))
            .Min(r => r.ReceivedAt);

    private static async Task<string> SubmitAsync(ApiClient client, int k)
    {
        var (status, job) = await client.PostAsync("/v1/batches", new { modelId = "small", prompts = Enumerable.Range(0, Prompts).Select(i => $"Summarize report {k} part {i}").ToArray() });
        Assert.Equal(HttpStatusCode.Accepted, status);
        return job!["jobId"]!.GetValue<string>();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300 && !await condition(); i++) await Task.Delay(20);
        Assert.True(await condition());
    }
}
