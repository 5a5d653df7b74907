namespace Conversations.Routing.Tests.Health;

public sealed class CircuitNamesTests
{
    [Theory]
    [InlineData(CircuitState.Closed, "closed")]
    [InlineData(CircuitState.Open, "open")]
    [InlineData(CircuitState.HalfOpen, "half-open")]
    public void Each_state_has_its_wire_name_and_back(CircuitState state, string name)
    {
        // Proves the health views and the API keep the strings they always showed, and parsing gives the state back.
        Assert.Equal(name, CircuitNames.Of(state));
        Assert.Equal(state, CircuitNames.Parse(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Open")]
    [InlineData("halfopen")]
    public void Unknown_names_read_as_closed(string? name)
    {
        // Proves a name the platform never writes does not open a circuit.
        Assert.Equal(CircuitState.Closed, CircuitNames.Parse(name));
    }
}
