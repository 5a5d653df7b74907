namespace Conversations.Contracts.Health;

/// <summary>Asks the platform's database whether it answers: the readiness check's view of PostgreSQL.</summary>
public interface IDatabaseProbe
{
    /// <summary>Completes when one round trip to the database succeeded; throws with the reason otherwise.</summary>
    Task PingAsync(CancellationToken ct);
}
