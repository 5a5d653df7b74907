using System.Net;
using Conversations.TestModel.Embeddings;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Conversations.TestModel.Hosting;

/// <summary>A local OpenAI-compatible chat and embeddings server with set latency, scripted answers and injected faults.</summary>
public sealed class TestModelServer : IAsyncDisposable
{
    /// <summary>How long stopping waits for requests still running before dropping them.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);

    private readonly WebApplication app;
    private readonly ServerRuntime runtime;

    private TestModelServer(WebApplication app, ServerRuntime runtime, Uri root)
    {
        this.app = app;
        this.runtime = runtime;
        RootUrl = root.GetLeftPart(UriPartial.Authority);
        BaseUrl = RootUrl + "/v1";
        Port = root.Port;
    }

    /// <summary>The OpenAI base URL to give clients, e.g. http://127.0.0.1:40123/v1.</summary>
    public string BaseUrl { get; }

    /// <summary>The server root without /v1 (the control endpoints live under /control).</summary>
    public string RootUrl { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Changes behaviour per model name while the server runs.</summary>
    public TestModelControl Control => runtime.Control;

    /// <summary>The recorded chat requests, oldest first (a copy).</summary>
    public IReadOnlyList<RecordedRequest> Requests => runtime.Log.Snapshot();

    /// <summary>The texts embedding requests asked for, oldest first (a copy).</summary>
    public IReadOnlyList<string> EmbeddedTexts => runtime.EmbeddingInputs.ToArray();

    /// <summary>Counters for the whole server and per model name.</summary>
    public TestModelCounters Counters => runtime.Counters;

    /// <summary>Starts a server (by default on 127.0.0.1 and a free port) and returns once it accepts requests.</summary>
    public static async Task<TestModelServer> StartAsync(TestModelOptions? options = null, CancellationToken cancellationToken = default) =>
        await StartAsync(options ?? new TestModelOptions(), handleConsoleSignals: false, cancellationToken);

    /// <summary>Empties the request log.</summary>
    public void ClearRequests() => runtime.Log.Clear();

    /// <summary>Completes when the server stops (Ctrl+C or SIGTERM when run as a program).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the server: held connections end at once, running answers get a short grace.</summary>
    public async ValueTask DisposeAsync()
    {
        runtime.Stop();
        using (var grace = new CancellationTokenSource(ShutdownGrace))
        {
            await app.StopAsync(grace.Token);
        }

        await app.DisposeAsync();
    }

    internal static async Task<TestModelServer> StartAsync(TestModelOptions options, bool handleConsoleSignals, CancellationToken cancellationToken)
    {
        options.Validate();
        var url = new Uri(options.Url);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(ListenAddress(url.Host), url.Port);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownGrace);
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.DefaultIgnoreCondition = ControlJson.Options.DefaultIgnoreCondition);
        if (!handleConsoleSignals)
        {
            builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        }

        var app = builder.Build();
        var runtime = new ServerRuntime(options);
        MapEndpoints(app, runtime);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestModelServer(app, runtime, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    private static void MapEndpoints(WebApplication app, ServerRuntime runtime)
    {
        // Clients configured with or without /v1 in their base URL both reach the model endpoints.
        foreach (var prefix in new[] { "/v1", string.Empty })
        {
            app.MapPost(prefix + "/chat/completions", Authorized(runtime, ChatCompletionsApi.HandleAsync));
            app.MapPost(prefix + "/embeddings", Authorized(runtime, EmbeddingsApi.HandleAsync));
            app.MapGet(prefix + "/models", Authorized(runtime, ModelsApi.HandleAsync));
        }

        app.MapControlApi(runtime);
        app.MapFallback(context => OpenAIErrors.WriteAsync(context, 404, $"Unknown request URL: {context.Request.Method} {context.Request.Path}."));
    }

    // Every model endpoint checks the bearer key first, as OpenAI does.
    private static RequestDelegate Authorized(ServerRuntime runtime, Func<HttpContext, ServerRuntime, Task> handler) => async context =>
    {
        if (await ApiKeyCheck.AuthorizeAsync(context, runtime.Options))
        {
            await handler(context, runtime);
        }
    };

    private static IPAddress ListenAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.Parse(host.Trim('[', ']')),
    };
}
