namespace Conversations.Routing.Tests.Canary;

public sealed class CanaryArmNamesTests
{
    [Theory]
    [InlineData(CanaryArm.None, "none")]
    [InlineData(CanaryArm.Baseline, "baseline")]
    [InlineData(CanaryArm.Candidate, "candidate")]
    public void Each_arm_has_its_wire_name_and_back(CanaryArm arm, string name)
    {
        // Proves route outcomes and canary tallies keep their strings, and parsing gives the arm back.
        Assert.Equal(name, CanaryArmNames.Of(arm));
        Assert.Equal(arm, CanaryArmNames.Parse(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Candidate")]
    [InlineData("control")]
    public void Unknown_names_are_no_arm(string? name)
    {
        // Proves a tally for a name the router never gives counts on neither arm.
        Assert.Equal(CanaryArm.None, CanaryArmNames.Parse(name));
    }
}
