using Conversations.TestModel.Hosting;

namespace Conversations.Testing.Platform;

/// <summary>
/// A <see cref="PlatformHost"/> with a test model server (an OpenAI-compatible endpoint on loopback) started before
/// the platform and stopped after it. A fixture says in <see cref="PlatformHost.Configure"/> what the platform uses it for.
/// </summary>
/// <param name="name">Prefix of the database and cluster names.</param>
/// <param name="operatorKey">The operator key the process is started with.</param>
public abstract class ModelPlatformHost(string name, string operatorKey) : PlatformHost(name, operatorKey)
{
    /// <summary>The test model server.</summary>
    public TestModelServer Model { get; private set; } = null!;

    /// <summary>The model server's options: its defaults unless a fixture needs another behaviour.</summary>
    protected virtual TestModelOptions ModelOptions => new();

    /// <summary>Points the platform's chat model at the test model server.</summary>
    protected void UseModelForChat(IDictionary<string, string> environment, string modelId = TestModelOptions.DefaultModelName)
    {
        environment["Models__Chat__Endpoint"] = Model.BaseUrl;
        environment["Models__Chat__ModelId"] = modelId;
    }

    /// <inheritdoc />
    protected override async Task StartServersAsync() => Model = await TestModelServer.StartAsync(ModelOptions);

    /// <inheritdoc />
    protected override async Task StopServersAsync() => await Model.DisposeAsync();
}
