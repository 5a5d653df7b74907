namespace Conversations.IntegrationTests.Cluster;

/// <summary>An API host with a zone enters the cluster through its own zone's gateways while that zone has any.</summary>
public sealed class ZoneGatewayTests
{
    [Fact(DisplayName = "An API host in zone b uses only zone b's gateway, and another zone's once zone b's silo is gone")]
    public async Task Api_host_prefers_its_zone_gateways()
    {
        await using var cluster = await ProcessCluster.CreateAsync("zonegw");
        var portA = PlatformProcess.FreePort();
        var portB = PlatformProcess.FreePort();
        await using var siloA = await cluster.StartSiloAsync("a", portA);
        await using var siloB = await cluster.StartSiloAsync("b", portB);
        await using var api = await cluster.StartClientApiAsync(zone: "b");
        using var operatorClient = new ApiClient(api.BaseUrl!, cluster.OperatorKey);

        // The readiness check's stateless grain runs on the gateway silo that took the call; it names that silo (to an operator's key).
        for (var i = 0; i < 12; i++)
            Assert.Contains($":{portB}:", await AnsweringSiloAsync(operatorClient), StringComparison.Ordinal);

        siloB.Kill();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? answered = null;
        while (DateTime.UtcNow < deadline && answered?.Contains($":{portA}:", StringComparison.Ordinal) != true)
        {
            answered = await AnsweringSiloAsync(operatorClient);
            await Task.Delay(250);
        }
        Assert.Contains($":{portA}:", answered, StringComparison.Ordinal);
    }

    private static async Task<string> AnsweringSiloAsync(ApiClient client)
    {
        using var res = await client.Http.GetAsync("/readyz");
        var body = await res.Content.ReadAsStringAsync();
        return res.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body)!["checks"]!["orleans"]!["silo"]!.GetValue<string>() : body;
    }
}
