namespace Conversations.IntegrationTests.Cluster;

/// <summary>The Prometheus alert rules in deploy/prometheus load in promtool, and fire (or stay quiet) as their unit tests say.</summary>
public sealed class AlertRulesTests
{
    [Fact(DisplayName = "Alert rules: promtool loads them, and their unit tests pass (TTFT, TPOT, errors, breakers, hosts, drift)")]
    public async Task Alert_rules_load_and_fire_as_specified()
    {
        var folder = Path.Combine(RepoPaths.Root, "deploy", "prometheus");
        var (found, promtool) = await RunAsync("bash", folder, Path.Combine(folder, "promtool.sh"));
        Assert.True(found == 0, "promtool could not be found or unpacked: " + promtool);
        var path = promtool.Trim().Split('\n')[^1];

        var (checkCode, check) = await RunAsync(path, folder, "check", "rules", "alerts.yml");
        Assert.True(checkCode == 0, check);
        Assert.Contains("SUCCESS: 7 rules found", check, StringComparison.Ordinal);

        var (testCode, test) = await RunAsync(path, folder, "test", "rules", "alerts.test.yml");
        Assert.True(testCode == 0, test);
        Assert.Contains("SUCCESS", test, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string folder, params string[] args)
    {
        var run = await CommandLine.RunAsync(new ProcessStartInfo(file, args) { WorkingDirectory = folder }, TimeSpan.FromMinutes(3));
        return (run.ExitCode, run.All);
    }
}
