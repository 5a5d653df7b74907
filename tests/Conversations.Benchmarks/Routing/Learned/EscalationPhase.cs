using Conversations.Benchmarks.Platform;
using Conversations.TestModel.Behavior;

namespace Conversations.Benchmarks.Routing.Learned;

/// <summary>
/// Escalation through the real platform: a question the router sends to the small model, asked with escalation off,
/// with escalation on while the small model answers plainly (the cost of holding its opening), and with escalation on
/// while it answers "I'm not sure" (the escalated turn: both calls billed). Time to first token = request sent → first
/// answer delta.
/// </summary>
public static class EscalationPhase
{
    private const string Question = "What time does the office open on Saturday?";

    /// <summary>Writes the table; returns the number of failures.</summary>
    public static async Task<int> RunAsync(HttpClient http, string baseUrl, string operatorKey, TestModelServer model, ModelBehavior behavior, bool smoke, TextWriter output)
    {
        var turns = smoke ? 3 : 30;
        var tenant = await PlatformLoadSuite.CreateTenantAsync(http, baseUrl, operatorKey, 1);
        var suffix = Guid.NewGuid().ToString("n")[..8];
        foreach (var (id, price) in new[] { ("small", 0.05m), ("large", 1.6m) })
            await PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/routing/models/{id}", tenant.AdminKey, new
            {
                endpoint = model.BaseUrl, apiKey = "test-key", modelName = $"{id}-esc-{suffix}", tier = id, domains = Array.Empty<string>(),
                inputPerMillion = price, cachedInputPerMillion = price * 0.4m, outputPerMillion = price * 4, contextWindowTokens = 128_000, batchDiscount = 0.5m,
            });
        var unsure = behavior with { ScriptedAnswer = "I'm not sure about this one; please check with HR." };

        output.WriteLine($"escalation: \"{Question}\" (routed to the small model), {turns} turns per case, one at a time; test model TTFT {behavior.TimeToFirstToken.TotalMilliseconds:0} ms + " +
            $"{behavior.TimePerToken.TotalMilliseconds:0} ms/token for both models; prices small 0.05 / large 1.60 USD per 1M input tokens (×4 output)");
        output.WriteLine("| case | turns | answered by small / large | escalated | TTFT p50 ms | TTFT p90 ms | turn p50 ms | cost per turn (USD) |");
        output.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
        var failures = 0;
        double? baseTtft = null;
        foreach (var (name, escalation, small) in new[] { ("escalation off", false, behavior), ("escalation on, small answers", true, behavior), ("escalation on, small unsure", true, unsure) })
        {
            model.Control.SetModel($"small-esc-{suffix}", small);
            await PlatformLoadSuite.SendJsonAsync(http, HttpMethod.Put, $"{baseUrl}/v1/routing/policy", tenant.AdminKey, new
            {
                smallModelId = "small", largeModelId = "large", exactCache = false, semanticCache = false, hardCodedReplies = false, escalation,
            });
            await Task.Delay(400); // the config cache
            var results = new List<TimedTurn>();
            for (var i = 0; i < turns + 1; i++)
            {
                var conversation = await PlatformLoadSuite.CreateConversationAsync(http, baseUrl, tenant.UserKeys[0]);
                var turn = await TimedTurnAsync(http, baseUrl, tenant.UserKeys[0], conversation);
                if (i > 0) results.Add(turn); // the first turn of a case warms the changed config
            }
            var ok = results.Where(r => r.Ok).ToList();
            var ttft50 = LoadStats.Percentile(ok.Select(r => r.TtftMs), 0.5);
            baseTtft ??= ttft50;
            output.WriteLine($"| {name} | {ok.Count} | {ok.Count(r => r.Model == "small")} / {ok.Count(r => r.Model == "large")} | {ok.Count(r => r.Route.Contains("escalated", StringComparison.Ordinal))} | " +
                $"{ttft50:0} (+{ttft50 - baseTtft:0}) | {LoadStats.Percentile(ok.Select(r => r.TtftMs), 0.9):0} | {LoadStats.Percentile(ok.Select(r => r.TotalMs), 0.5):0} | {(ok.Count == 0 ? 0 : ok.Average(r => r.CostUsd)):0.0000000} |");
            if (ok.Count < results.Count || ok.Count == 0) failures++;
            if (name.EndsWith("unsure", StringComparison.Ordinal) && ok.Any(r => r.Model != "large")) failures++;
        }
        model.Control.RemoveModel($"small-esc-{suffix}");
        output.WriteLine();
        return failures;
    }

    private sealed record TimedTurn(bool Ok, string? Model, string Route, double TtftMs, double TotalMs, decimal CostUsd);

    private static async Task<TimedTurn> TimedTurnAsync(HttpClient http, string baseUrl, string key, string conversationId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { text = Question }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) return new TimedTurn(false, null, "", 0, 0, 0);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? eventName = null;
        double? ttft = null;
        JsonNode? done = null;
        var error = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventName = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                if (eventName == "delta") ttft ??= clock.Elapsed.TotalMilliseconds;
                else if (eventName == "done") done = JsonNode.Parse(line[6..]);
                else if (eventName == "error") error = true;
            }
        }
        return new TimedTurn(done is not null && !error, done?["model"]?.GetValue<string>(), done?["route"]?.GetValue<string>() ?? "",
            ttft ?? 0, clock.Elapsed.TotalMilliseconds, done?["usage"]?["costUsd"]?.GetValue<decimal>() ?? 0);
    }
}
