namespace Conversations.Routing.Health;

/// <summary>The names a circuit state has on the wire (grain views, the health API): "closed", "open", "half-open".</summary>
public static class CircuitNames
{
    /// <summary>The wire name of <see cref="CircuitState.Closed"/>.</summary>
    public const string Closed = "closed";

    /// <summary>The wire name of <see cref="CircuitState.Open"/>.</summary>
    public const string Open = "open";

    /// <summary>The wire name of <see cref="CircuitState.HalfOpen"/>.</summary>
    public const string HalfOpen = "half-open";

    /// <summary>The wire name of <paramref name="state"/>.</summary>
    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Open => Open,
        CircuitState.HalfOpen => HalfOpen,
        _ => Closed,
    };

    /// <summary>The state a wire name stands for; an unknown name reads as closed.</summary>
    public static CircuitState Parse(string? name) => name switch
    {
        Open => CircuitState.Open,
        HalfOpen => CircuitState.HalfOpen,
        _ => CircuitState.Closed,
    };
}
