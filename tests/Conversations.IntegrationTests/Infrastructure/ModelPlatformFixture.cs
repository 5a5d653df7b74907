namespace Conversations.IntegrationTests.Infrastructure;

/// <summary>A platform process on an OpenAI-compatible test model that can be made slow or broken.</summary>
public sealed class ModelPlatformFixture() : ModelPlatformHost("model", OperatorKey)
{
    /// <summary>The operator key configured for the process.</summary>
    public const string OperatorKey = "cvk_modelop_model-operator-secret";

    /// <inheritdoc />
    protected override void Configure(IDictionary<string, string> environment)
    {
        UseModelForChat(environment);
        // These tests read what the model received: the loopback model stands for the operator's own endpoint, which
        // may see personal data (a hex marker would otherwise reach it masked as a secret).
        environment["Chat__PersonalDataAllowedHosts__0"] = new Uri(Model.BaseUrl).Host;
        // Generous for the first token: the process's first model call (JIT, connection) on a loaded 2-core CI
        // machine can pass 1.5 s, which would turn the stall test's late first token into a timeout.
        environment["Models__Chat__FirstTokenTimeout"] = "00:00:04";
        environment["Models__Chat__StallTimeout"] = "00:00:01.5";
        // Heartbeats after half a second of silence, so a slow first token shows them.
        environment["Chat__HeartbeatSeconds"] = "0.5";
    }
}
