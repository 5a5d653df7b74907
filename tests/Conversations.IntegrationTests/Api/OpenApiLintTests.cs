namespace Conversations.IntegrationTests.Api;

/// <summary>The live document through a third-party linter: Redocly's recommended rules, the contract's rules as errors.</summary>
public sealed class OpenApiLintTests(PlatformFixture fx) : PlatformTests
{
    [Fact(DisplayName = "Redocly lint (recommended; security-defined, operation-4xx-response and operation-2xx-response as errors) finds no problem")]
    public async Task Document_passes_redocly_lint()
    {
        using var anonymous = fx.As(null);
        var file = Path.Combine(Path.GetTempPath(), $"conversations-openapi-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(file, await anonymous.Http.GetStringAsync("/openapi/v1.json"));
        try
        {
            var folder = await NodeTools.FolderAsync("openapi-lint", "@redocly/cli/package.json");
            var output = await NodeTools.RunAsync("npx", $"--no-install redocly lint \"{file}\" --config redocly.yaml --format json", folder,
                new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" }, mustSucceed: false);
            var report = JsonNode.Parse(output[output.IndexOf('{')..])!;
            var problems = report["problems"]!.AsArray().Select(p => $"{p!["ruleId"]}: {p["message"]}").ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            Assert.Equal(0, report["totals"]!["errors"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
