namespace Conversations.Routing.IntegrationTests.Api;

/// <summary>In Production, tenants cannot point the platform at loopback, private or metadata addresses (server-side request forgery).</summary>
[Collection(ProductionCollection.Name)]
public sealed class EndpointPolicyTests(ProductionPlatform fx)
{
    [Fact(DisplayName = "Production refuses model endpoints on loopback, private, shared, metadata and unspecified addresses, and plain http, with a 400 that names the rule")]
    public async Task Refused_endpoints_are_400s_naming_the_rule()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var port = new Uri(fx.OperatorModelServer.BaseUrl).Port;
        var cases = new (string Endpoint, string Rule)[]
        {
            ($"http://127.0.0.1:{port}/v1", "endpoint address 127.0.0.1 is loopback"),
            ($"https://127.0.0.1:{port}/v1", "endpoint address 127.0.0.1 is loopback"),
            ("https://localhost/v1", "endpoint host 'localhost' is loopback"),
            ("https://[::1]/v1", "endpoint address ::1 is loopback"),
            ("http://10.0.0.1/v1", "endpoint address 10.0.0.1 is private"),
            ("https://192.168.1.20/v1", "is private"),
            ("https://100.64.0.1/v1", "shared address space"),
            ("http://169.254.169.254/latest/meta-data/", "endpoint address 169.254.169.254 is a cloud metadata service"),
            ("https://metadata.google.internal/v1", "cloud metadata"),
            ($"http://0.0.0.0:{port}/v1", "unspecified"),
            ("https://[::ffff:127.0.0.1]/v1", "loopback"),
            ("http://api.example.com/v1", "requires https"),
        };
        foreach (var (endpoint, rule) in cases)
        {
            var res = await admin.Http.PutAsJsonAsync("/v1/routing/models/m", Model(endpoint));
            var detail = (await ApiClient.ProblemAsync(res, HttpStatusCode.BadRequest))["detail"]!.GetValue<string>();
            Assert.Contains(rule, detail);
            Assert.Contains("Endpoints", detail); // names the policy and the operator setting that would allow it
        }
        var config = (await admin.Http.GetFromJsonAsync<JsonNode>("/v1/routing"))!;
        Assert.Empty(config["models"]!.AsArray());
    }

    [Fact(DisplayName = "An address on the operator's allow list is accepted over http and answers turns through the guarded client")]
    public async Task Allowlisted_self_hosted_model_is_accepted_and_called()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var name = "selfhosted-" + Guid.NewGuid().ToString("n")[..8];
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/small", Model(fx.SelfHosted.BaseUrl, name)), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/models/large", Model(fx.SelfHosted.BaseUrl, name, "large")), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new
        {
            smallModelId = "small", largeModelId = "large", fallbackModelIds = Array.Empty<string>(), exactCache = false, semanticCache = false,
        }), HttpStatusCode.OK);
        await Task.Delay(400);

        var events = await user.SendAsync(await user.CreateConversationAsync(), "Where is the expense report form?");
        Assert.True(events.Count > 0 && events[^1].Name == "done", events.Dump());
        Assert.StartsWith(name, events.AnswerText()); // the test model's answers start with its own model name
        Assert.Contains(fx.SelfHosted.Requests, r => r.Model == name);
    }

    [Fact(DisplayName = "The operator's configured model endpoint is trusted: on loopback, it still answers tenants without a routing policy")]
    public async Task Operator_configured_endpoint_is_not_subject_to_the_policy()
    {
        var (admin, user) = await fx.NewTenantAsync();
        var events = await user.SendAsync(await user.CreateConversationAsync(), "What can you do?");
        Assert.True(events.Count > 0 && events[^1].Name == "done", events.Dump());
        Assert.StartsWith(ProductionPlatform.OperatorModel, events.AnswerText());
    }

    private static object Model(string endpoint, string modelName = "m", string tier = "small") => new
    {
        endpoint, apiKey = "k", modelName, tier, domains = Array.Empty<string>(),
        inputPerMillion = 1, outputPerMillion = 2, contextWindowTokens = 128_000,
    };
}
