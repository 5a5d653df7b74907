using System.Net.Http.Headers;
using Conversations.IntegrationTests.Cluster;

namespace Conversations.IntegrationTests.Api;

/// <summary>
/// The demo tenant's two models (the extractive responder behind the OpenAI wire protocol, on the platform's own port):
/// routing, costs and batches can be tried on a machine with no model, and the endpoint answers only its key.
/// </summary>
public sealed class DemoModelsTests
{
    private const string AdminKey = "cvk_dmadmin_admin-secret";
    private const string UserKey = "cvk_dmalice_alice-secret";
    private const string ModelKey = "demo-model-test-secret";

    [Fact(DisplayName = "With a demo model key, the demo tenant (after a restart) routes between demo-small and demo-large and bills each at its price; a batch on demo-small completes; the model endpoint refuses a call without its key")]
    public async Task Demo_models_route_bill_and_batch()
    {
        await using var cluster = await ProcessCluster.CreateAsync("demomodels");
        var settings = cluster.Settings;
        settings.Environment["Logging__LogLevel__Default"] = "Warning";
        settings.Environment["Bootstrap__DemoEnabled"] = "true";
        settings.Environment["Bootstrap__DemoTenantId"] = "demo";
        settings.Environment["Bootstrap__DemoAdminKey"] = AdminKey;
        settings.Environment["Bootstrap__DemoUserKey"] = UserKey;
        settings.Environment["Bootstrap__DemoModelKey"] = ModelKey;
        // Started twice: what the first start stored is read back by the second (a killed and restarted README platform).
        var port = PlatformProcess.FreePort();
        await using (var first = await PlatformProcess.StartApiAsync(settings, httpPort: port))
        {
            using var firstAdmin = new ApiClient(first.BaseUrl!, AdminKey);
            Assert.True(await RoutingAsync(firstAdmin) is { } seeded && seeded["policy"] is JsonObject, "the first start registered no demo models");
        }
        await using var api = await PlatformProcess.StartApiAsync(settings, httpPort: port);
        using var admin = new ApiClient(api.BaseUrl!, AdminKey);
        using var user = new ApiClient(api.BaseUrl!, UserKey);
        var routing = await RoutingAsync(admin);
        Assert.Equal(["demo-large", "demo-small"], routing["models"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).Order());
        Assert.Equal("demo-small", routing["policy"]!["smallModelId"]!.GetValue<string>());

        var simple = (await user.SendAsync(await user.CreateConversationAsync(), "How many vacation days do I get?")).Done();
        var complex = (await user.SendAsync(await user.CreateConversationAsync(),
            "Design a step-by-step migration plan for moving our payroll system to a new vendor, with the risks of each step and a timeline.")).Done();
        Assert.Equal("demo-small", simple["model"]!.GetValue<string>());
        Assert.Equal("demo-large", complex["model"]!.GetValue<string>());
        // Each is billed at its own model's price: the large one's input price is 2.50 against 0.15 per million tokens.
        decimal Cost(JsonNode done) => done["usage"]!["costUsd"]!.GetValue<decimal>();
        decimal PerPromptToken(JsonNode done) => Cost(done) / done["usage"]!["promptTokens"]!.GetValue<int>();
        Assert.True(Cost(simple) > 0 && PerPromptToken(complex) > 5 * PerPromptToken(simple), $"{simple.ToJsonString()}\n{complex.ToJsonString()}");

        var submitted = await user.Http.PostAsJsonAsync("/v1/batches", new { modelId = "demo-small", prompts = new[] { "What is the travel policy?", "Who approves leave?" } });
        await ApiClient.EnsureAsync(submitted, HttpStatusCode.Accepted);
        var jobId = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["jobId"]!.GetValue<string>();
        JsonNode job = new JsonObject();
        for (var i = 0; i < 150 && job["status"]?.GetValue<string>() != "completed"; i++)
        {
            await Task.Delay(200);
            job = await user.GetJsonAsync($"/v1/batches/{jobId}");
        }
        Assert.Equal("completed", job["status"]?.GetValue<string>());
        Assert.Equal(2, job["succeeded"]!.GetValue<int>());
        Assert.True(job["costUsd"]!.GetValue<decimal>() > 0, job.ToJsonString());

        using var anonymous = new HttpClient { BaseAddress = new Uri(api.BaseUrl!) };
        var body = new { model = "demo", messages = new[] { new { role = "user", content = "hi" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/demo-model/v1/chat/completions", body)).StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/demo-model/v1/chat/completions") { Content = JsonContent.Create(body) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", UserKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Post, "/demo-model/v1/chat/completions") { Content = JsonContent.Create(body) };
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ModelKey);
        var answer = await anonymous.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("assistant", JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["role"]!.GetValue<string>());

        // Fields of the wrong JSON type read as absent, and a body that is no object is the 400 of a missing list: never a 500.
        foreach (var odd in new[] { """{"messages":[{"role":1,"content":"hi"}],"model":5,"stream":"true"}""", "[1]", "\"text\"" })
        {
            using var call = new HttpRequestMessage(HttpMethod.Post, "/demo-model/v1/chat/completions") { Content = new StringContent(odd, Encoding.UTF8, "application/json") };
            call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ModelKey);
            var reply = await anonymous.SendAsync(call);
            Assert.True(reply.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{odd}: {reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
        }
    }

    // The tenant's routing once its policy is there (the demo models are registered in the background after start).
    private static async Task<JsonNode> RoutingAsync(ApiClient admin)
    {
        JsonNode routing = new JsonObject();
        for (var i = 0; i < 150; i++)
        {
            var res = await admin.Http.GetAsync("/v1/routing");
            if (res.IsSuccessStatusCode) routing = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
            if (routing["policy"] is JsonObject) break;
            await Task.Delay(200);
        }
        return routing;
    }
}
