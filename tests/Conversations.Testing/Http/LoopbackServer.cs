using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conversations.Testing.Http;

/// <summary>
/// A web server on a free loopback port, for a test double of an outside service (it speaks that service's wire
/// protocol) or a source of content the platform fetches. A double maps its endpoints in <see cref="Map"/>.
/// </summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The address the server listens on (<c>http://127.0.0.1:port</c>).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Maps the server's endpoints.</summary>
    protected abstract void Map(WebApplication app);

    /// <summary>Starts a <typeparamref name="TServer"/> on a free loopback port.</summary>
    public static async Task<TServer> StartAsync<TServer>() where TServer : LoopbackServer, new()
    {
        var server = new TServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = server._app = builder.Build();
        server.Map(app);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
