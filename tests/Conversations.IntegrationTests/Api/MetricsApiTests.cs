using System.Globalization;
using System.Text.RegularExpressions;
using Conversations.IntegrationTests.Infrastructure;

namespace Conversations.IntegrationTests.Api;

/// <summary>The operator's view: OpenTelemetry metrics scraped from /metrics over real HTTP.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class MetricsApiTests(PlatformFixture fx)
{
    [Fact(DisplayName = "/metrics counts a finished turn by outcome and model, with its time to first token, and names no tenant")]
    public async Task Turn_shows_up_in_metrics()
    {
        var (_, userKey) = await fx.NewTenantAsync("metrics");
        using var user = fx.As(userKey);
        using var anonymous = fx.As(null);
        var before = CompleteTurns(await ScrapeAsync(anonymous));

        var id = await user.CreateConversationAsync();
        var events = await user.SendAsync(id, "The canteen opens at eight. When does the canteen open?");
        Assert.True(events[^1].Name == "done", events.Dump());

        // The exporter caches a scrape for a moment: poll until the turn is counted.
        string text = "";
        for (var i = 0; i < 50 && CompleteTurns(text) <= before; i++)
        {
            await Task.Delay(100);
            text = await ScrapeAsync(anonymous);
        }
        Assert.Equal(before + 1, CompleteTurns(text));
        Assert.Matches(TimeToFirstTokenCount(), text);
        Assert.Contains("conversations_tokens_total{", text);
        Assert.DoesNotContain("metrics-", text); // tenant ids are never tags
    }

    private static async Task<string> ScrapeAsync(ApiClient client)
    {
        using var response = await client.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static double CompleteTurns(string text) =>
        CompleteTurnLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^conversations_turns_total\{[^}]*outcome=""complete""[^}]*\} ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex CompleteTurnLine();

    [GeneratedRegex(@"(?m)^conversations_turn_time_to_first_token[a-z_]*_count\{[^}]*\} [1-9]")]
    private static partial Regex TimeToFirstTokenCount();
}
