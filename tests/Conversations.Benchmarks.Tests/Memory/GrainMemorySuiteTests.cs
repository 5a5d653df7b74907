using Conversations.Benchmarks.Memory;

namespace Conversations.Benchmarks.Tests.Memory;

public sealed class GrainMemorySuiteTests
{
    [Fact]
    public async Task Smoke_run_measures_idle_and_windowed_activations()
    {
        // Proves the run activates conversations in a real silo on PostgreSQL and that a loaded window costs more than an idle activation.
        var suite = new GrainMemorySuite();
        var output = new StringWriter();
        Assert.Equal(0, await suite.RunAsync(["--conversations", "100", "--turns", "10"], smoke: true, output));
        var idle = suite.Rows.Single(r => r.Turns == 0);
        var windowed = suite.Rows.Single(r => r.Turns == 10);
        Assert.Equal(20, windowed.Messages);
        Assert.True(idle.BytesPerActivation > 0, output.ToString());
        // 20 messages of ~150 and ~900 chars are at least 10 KB of strings on the heap.
        Assert.True(windowed.BytesPerActivation - idle.BytesPerActivation > 10_000, output.ToString());
        Assert.Contains("| 100 | 10 | 20 |", output.ToString());
        // Turns through the grain's own path ran without errors, and an activation right after them holds its window at least.
        Assert.Equal(0, suite.RealTurnErrors);
        Assert.All(suite.Rows.Where(r => r.Turns < 0), r => Assert.True(r.BytesPerActivation > idle.BytesPerActivation, output.ToString()));
        // The age docs/scaling.md derives from these figures is the one the silo applies.
        Assert.Equal(TimeSpan.FromMinutes(10), suite.CollectionAge);
    }
}
