namespace Conversations.IntegrationTests.Infrastructure;

/// <summary>
/// A platform process on a test model that writes slowly (so a turn can be cut, resumed or stopped mid-answer), and a
/// second API host in client mode on the same cluster, so a stream cut on one host is resumed through the other.
/// </summary>
public sealed class TurnPlatformFixture() : ModelPlatformHost("turns", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_turnsop_turns-operator-secret";

    /// <summary>The second API host (client mode, no silo of its own).</summary>
    public PlatformProcess SecondHost { get; private set; } = null!;

    /// <summary>A client of the second host acting with <paramref name="key"/>.</summary>
    public ApiClient OnSecondHost(string key) => new(SecondHost.BaseUrl!, key);

    /// <inheritdoc />
    protected override TestModelOptions ModelOptions => new()
    {
        Default = new ModelBehavior { TimeToFirstToken = TimeSpan.FromMilliseconds(20), TimePerToken = TimeSpan.FromMilliseconds(40), AnswerTokens = 60 },
    };

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        UseModelForChat(environment);
        environment["Models__Chat__FirstTokenTimeout"] = "00:00:05";
        environment["Models__Chat__StallTimeout"] = "00:00:05";
    }

    /// <inheritdoc />
    protected override async Task PlatformStartedAsync() => SecondHost = await PlatformProcess.StartApiAsync(Settings, mode: "client");

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        if (SecondHost is not null) await SecondHost.DisposeAsync();
        await base.DisposeAsync();
    }
}
