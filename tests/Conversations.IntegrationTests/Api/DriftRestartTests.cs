using Conversations.IntegrationTests.Cluster;

namespace Conversations.IntegrationTests.Api;

/// <summary>The drift sketch is grain state: it survives a killed platform process (written sealed, read back).</summary>
public sealed class DriftRestartTests
{
    [Fact(DisplayName = "Drift: after the process is killed and restarted, the thresholds, the reference and the last report load again, and checks go on")]
    public async Task Sketch_survives_a_restart()
    {
        await using var cluster = await ProcessCluster.CreateAsync("driftrestart");
        var settings = cluster.Settings;
        settings.Environment["Logging__LogLevel__Default"] = "Warning";
        var port = PlatformProcess.FreePort();
        string adminKey;
        JsonNode before;
        await using (var first = await PlatformProcess.StartApiAsync(settings, httpPort: port))
        {
            using var op = new ApiClient(first.BaseUrl!, cluster.OperatorKey);
            adminKey = await op.CreateTenantAsync("driftrestart");
            using var admin = new ApiClient(first.BaseUrl!, adminKey);
            using var user = new ApiClient(first.BaseUrl!, await admin.CreateUserWithKeyAsync("alice"));
            await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/drift/thresholds", new { minSamples = 10, referenceSamples = 10, topicPsi = 0.5 }), HttpStatusCode.OK);
            var id = await user.CreateConversationAsync();
            for (var i = 0; i < 20; i++) (await user.SendAsync(id, $"How many vacation days do I get in year {i + 1} of my contract?")).Done();
            await WaitForAsync(admin, s => s["referenceQuestions"]!.GetValue<long>() == 10 && s["windowQuestions"]!.GetValue<long>() == 10);
            var check = await admin.Http.PostAsync("/v1/drift/check", null);
            await ApiClient.EnsureAsync(check, HttpStatusCode.OK);
            for (var i = 0; i < 4; i++) (await user.SendAsync(id, $"Who approves leave request number {i}?")).Done();
            await WaitForAsync(admin, s => s["windowQuestions"]!.GetValue<long>() == 4);
            before = await admin.GetJsonAsync("/v1/drift");
        }

        await using var second = await PlatformProcess.StartApiAsync(settings, httpPort: port);
        using var again = new ApiClient(second.BaseUrl!, adminKey);
        var after = await again.GetJsonAsync("/v1/drift");
        Assert.Equal(0.5, after["thresholds"]!["topicPsi"]!.GetValue<double>());
        Assert.Equal(10, after["referenceQuestions"]!.GetValue<long>());
        Assert.Equal(before["referenceTo"]!.ToJsonString(), after["referenceTo"]!.ToJsonString());
        Assert.Equal(before["lastReport"]!.ToJsonString(), after["lastReport"]!.ToJsonString());
        Assert.NotEmpty(after["lastReport"]!["signals"]!.AsArray());
        // The first process was killed: the 4 samples after the check's write are lost (under the 50 between writes), nothing else.
        Assert.Equal(0, after["windowQuestions"]!.GetValue<long>());
        var report = (await again.PostAsync("/v1/drift/check", new { })).Body!;
        Assert.Equal("too_few_samples", report["outcome"]!.GetValue<string>());
    }

    private static async Task WaitForAsync(ApiClient admin, Func<JsonNode, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            if (done(await admin.GetJsonAsync("/v1/drift"))) return;
            await Task.Delay(100);
        }
        Assert.Fail("The drift grain did not count the turns: " + (await admin.GetJsonAsync("/v1/drift")).ToJsonString());
    }
}
