namespace Conversations.IntegrationTests.Api;

/// <summary>Metric labels name the operator's models only: a tenant's own model never shows up in /metrics under its name.</summary>
public sealed class ModelMetricsTests(ModelPlatformFixture fx) : IClassFixture<ModelPlatformFixture>
{
    private const string SecretModel = "secret-model-name-xyz";

    [Fact(DisplayName = "After a turn on a tenant-registered model, /metrics counts it as tenant-model and never names it; the operator's model keeps its name")]
    public async Task Tenant_model_names_stay_out_of_metrics()
    {
        using var op = fx.Operator();
        var (admin, user) = await fx.NewTenantAsync("mm");
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync($"/v1/routing/models/{SecretModel}", new
        {
            endpoint = fx.Model.BaseUrl,
            apiKey = "test-key",
            modelName = SecretModel,
            tier = "small",
            inputPerMillion = 1m,
            outputPerMillion = 2m,
            contextWindowTokens = 128_000,
        }), HttpStatusCode.OK);
        await ApiClient.EnsureAsync(await admin.Http.PutAsJsonAsync("/v1/routing/policy", new
        {
            smallModelId = SecretModel, largeModelId = SecretModel, exactCache = false, semanticCache = false, hardCodedReplies = false,
        }), HttpStatusCode.OK);

        // The routing configuration is cached for a moment: send until the tenant's model answers.
        string? answeredBy = null;
        for (var i = 0; i < 20 && answeredBy != SecretModel; i++)
        {
            var events = await user.SendAsync(await user.CreateConversationAsync(), "What is the capital of France?");
            Assert.True(events[^1].Name == "done", events.Dump());
            answeredBy = events[^1].Data["model"]!.GetValue<string>();
            if (answeredBy != SecretModel) await Task.Delay(250);
        }
        Assert.Equal(SecretModel, answeredBy);
        // A tenant without a policy gets the operator's configured model.
        var (plainAdmin, plain) = await fx.NewTenantAsync("mp");
        var plainEvents = await plain.SendAsync(await plain.CreateConversationAsync(), "What is the capital of Italy?");
        Assert.Equal("test-model", plainEvents[^1].Data["model"]!.GetValue<string>());

        // The exporter caches a scrape for a moment: poll until both turns are counted.
        var text = "";
        for (var i = 0; i < 50 && !(text.Contains("model=\"tenant-model\"") && text.Contains("model=\"test-model\"")); i++)
        {
            await Task.Delay(100);
            text = await op.Http.GetStringAsync("/metrics");
        }
        Assert.Contains("model=\"tenant-model\"", text);
        Assert.Contains("model=\"test-model\"", text);
        Assert.DoesNotContain(SecretModel, text);
    }
}
