namespace Conversations.Moderation.Tests.Green;

/// <summary>Tests against a fresh local Green server each (signatures checked on every call), with one HTTP client.</summary>
public abstract class GreenServerTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();

    /// <summary>The local Green-compatible server.</summary>
    internal LocalGreenServer Server { get; private set; } = null!;

    /// <summary>
    /// A Green client with <paramref name="options"/> (the server's defaults when null) and their resilience; with
    /// <paramref name="urlPipeline"/>, as the platform registers it: URL-fetching calls go through a pipeline without the breaker.
    /// </summary>
    internal GreenClient Client(GreenOptions? options = null, bool urlPipeline = false)
    {
        options ??= Server.Options();
        return new GreenClient(_http, options, GreenResilience.Build(options), urlPipeline: urlPipeline ? GreenResilience.Build(options, breaker: false) : null);
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => Server = await LocalGreenServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}
