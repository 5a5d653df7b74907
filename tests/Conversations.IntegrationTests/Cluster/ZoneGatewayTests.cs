namespace Conversations.IntegrationTests.Cluster;

/// <summary>An API host with a zone enters the cluster through its own zone's gateways while that zone has any.</summary>
public sealed class ZoneGatewayTests
{
    private const string OperatorKey = "cvk_zonegwop_zone-gateway-operator-secret";

    [Fact(DisplayName = "An API host in zone b uses only zone b's gateway, and another zone's once zone b's silo is gone")]
    public async Task Api_host_prefers_its_zone_gateways()
    {
        await using var db = await TestDatabase.CreateAsync("zonegw");
        var settings = ClusterProcesses.Settings(db, "zonegw", OperatorKey);
        var portA = PlatformProcess.FreePort();
        var portB = PlatformProcess.FreePort();
        await using var siloA = await PlatformProcess.StartSiloAsync(Zoned(settings, "a"), portA, PlatformProcess.FreePort());
        await using var siloB = await PlatformProcess.StartSiloAsync(Zoned(settings, "b"), portB, PlatformProcess.FreePort());
        await using var api = await PlatformProcess.StartApiAsync(Zoned(settings, "b"), mode: "client");
        using var anonymous = new ApiClient(api.BaseUrl!, null);

        // The readiness check's stateless grain runs on the gateway silo that took the call; it names that silo.
        for (var i = 0; i < 12; i++)
            Assert.Contains($":{portB}:", await AnsweringSiloAsync(anonymous), StringComparison.Ordinal);

        siloB.Kill();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? answered = null;
        while (DateTime.UtcNow < deadline && answered?.Contains($":{portA}:", StringComparison.Ordinal) != true)
        {
            answered = await AnsweringSiloAsync(anonymous);
            await Task.Delay(250);
        }
        Assert.Contains($":{portA}:", answered, StringComparison.Ordinal);
    }

    private static PlatformProcess.Settings Zoned(PlatformProcess.Settings settings, string zone) =>
        settings with { Environment = new(settings.Environment) { ["Orleans__Metadata__zone"] = zone } };

    private static async Task<string> AnsweringSiloAsync(ApiClient client)
    {
        using var res = await client.Http.GetAsync("/readyz");
        var body = await res.Content.ReadAsStringAsync();
        return res.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body)!["checks"]!["orleans"]!["description"]!.GetValue<string>() : body;
    }
}
