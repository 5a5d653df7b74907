using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conversations.Moderation.IntegrationTests.Green;

/// <summary>
/// A web server on loopback that serves a small PNG at any <c>/images/{name}</c>, so image URLs of a message can be
/// fetched by the platform (the fixture admits <c>localhost</c> in the image fetch policy) and named for Green's fake,
/// which flags URLs holding "explosion"; <c>/redirect?to=</c> redirects anywhere. Each name gets its own bytes (the name is appended after the image's end).
/// </summary>
internal sealed class LocalImageServer(WebApplication app) : IAsyncDisposable
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Pixel = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>The base URL, named by host (<c>http://localhost:port</c>), as the fetch policy admits it.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The bytes served for <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => [.. Pixel, .. System.Text.Encoding.UTF8.GetBytes(name)];

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<LocalImageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/images/{name}", (string name) => Results.Bytes(Bytes(name), "image/png"));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new LocalImageServer(app) { BaseUrl = $"http://localhost:{address.Port}" };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
