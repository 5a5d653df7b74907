namespace Conversations.IntegrationTests.Benchmarks;

/// <summary>Every benchmark suite runs in its small smoke mode, so the benchmarks keep working between full runs.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact(DisplayName = "Every benchmark suite listed by the benchmark tool completes its --smoke run with exit code 0")]
    public async Task All_suites_pass_smoke()
    {
        var help = await RunAsync("--help", TimeSpan.FromMinutes(1));
        Assert.Equal(0, help.ExitCode);
        var suites = help.Output.Split('\n').Skip(1).Select(l => l.Trim().Split(' ')[0]).Where(n => n.Length > 0).ToList();
        Assert.Contains("platform", suites);
        Assert.Contains("replay", suites);

        var failures = new List<string>();
        foreach (var suite in suites)
        {
            // The limit catches a hang, not slowness: a smoke run of the model-embedding suites takes minutes on two busy cores.
            var run = await RunAsync($"{suite} --smoke", TimeSpan.FromMinutes(8));
            if (run.ExitCode != 0 || run.Output.Trim().Length == 0)
                failures.Add($"{suite}: exit {run.ExitCode}\n{run.Output[^Math.Min(run.Output.Length, 3000)..]}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string args, TimeSpan timeout)
    {
        var dll = Path.Combine(RepoPaths.Root, "tests", "Conversations.Benchmarks", "bin", RepoPaths.Configuration, "net10.0", "linux-x64", "Conversations.Benchmarks.dll");
        Assert.True(File.Exists(dll), $"Build the benchmarks first: {dll}");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { Environment = { ["CONVERSATIONS_TEST_PG"] = TestDatabase.ServerConnectionString } };
        try
        {
            var run = await CommandLine.RunAsync(psi, timeout);
            return (run.ExitCode, run.All);
        }
        catch (TimeoutException e)
        {
            return (-1, "timed out\n" + e.Message);
        }
    }
}
