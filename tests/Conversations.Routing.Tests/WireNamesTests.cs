using Conversations.Routing.Canary;

namespace Conversations.Routing.Tests;

/// <summary>
/// The enum values the router and the health views write as strings (route outcomes, canary tallies, grain views,
/// the health API): each has its name and reads back from it; a name the platform never writes reads as the value
/// that changes nothing (no canary arm, a closed circuit, a canary that goes on).
/// </summary>
public sealed class WireNamesTests
{
    public static TheoryData<Enum, string> Names => new()
    {
        { CanaryArm.None, "none" }, { CanaryArm.Baseline, "baseline" }, { CanaryArm.Candidate, "candidate" },
        { CircuitState.Closed, "closed" }, { CircuitState.Open, "open" }, { CircuitState.HalfOpen, "half-open" },
        { CanaryOutcome.Continue, "continue" }, { CanaryOutcome.Rollback, "rollback" }, { CanaryOutcome.ReadyToPromote, "ready-to-promote" },
    };

    public static TheoryData<Enum, string?> UnknownNames => new()
    {
        { CanaryArm.None, null }, { CanaryArm.None, "Candidate" }, { CanaryArm.None, "control" },
        { CircuitState.Closed, null }, { CircuitState.Closed, "" }, { CircuitState.Closed, "Open" }, { CircuitState.Closed, "halfopen" },
        { CanaryOutcome.Continue, null }, { CanaryOutcome.Continue, "Rollback" }, { CanaryOutcome.Continue, "ready" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_value_has_its_wire_name_and_back(Enum value, string name)
    {
        // Proves the strings the platform always wrote stay the same, and parsing gives the value back.
        Assert.Equal(name, NameOf(value));
        Assert.Equal(value, Parse(value.GetType(), name));
    }

    [Theory]
    [MemberData(nameof(UnknownNames))]
    public void Unknown_names_change_nothing(Enum nothing, string? name)
    {
        // Proves a tally for a name the router never gives counts on neither arm, and such a name opens no circuit.
        Assert.Equal(nothing, Parse(nothing.GetType(), name));
    }

    private static string NameOf(Enum value) => value switch
    {
        CanaryArm arm => CanaryArmNames.Of(arm),
        CircuitState state => CircuitNames.Of(state),
        CanaryOutcome outcome => CanaryOutcomeNames.Of(outcome),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "no wire names"),
    };

    private static Enum Parse(Type type, string? name) =>
        type == typeof(CanaryArm) ? (Enum)CanaryArmNames.Parse(name)
        : type == typeof(CanaryOutcome) ? CanaryOutcomeNames.Parse(name)
        : CircuitNames.Parse(name);
}
