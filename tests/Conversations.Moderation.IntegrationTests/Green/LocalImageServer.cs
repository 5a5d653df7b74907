using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conversations.Moderation.IntegrationTests.Green;

/// <summary>
/// A web server on loopback that serves a small PNG at any <c>/images/{name}</c>, so image URLs of a message can be
/// fetched by the platform (the fixture admits <c>localhost</c> in the image fetch policy) and named for Green's fake,
/// which flags URLs holding "explosion"; <c>/redirect?to=</c> redirects anywhere. Each name gets its own bytes (the name is appended after the image's end).
/// </summary>
internal sealed class LocalImageServer : LoopbackServer
{
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);

    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Pixel = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>The base URL, named by host (<c>http://localhost:port</c>), as the fetch policy admits it.</summary>
    public string BaseUrl => $"http://localhost:{Address.Port}";

    /// <summary>The bytes served for <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => [.. Pixel, .. System.Text.Encoding.UTF8.GetBytes(name)];

    /// <summary>How often <c>/images/{name}</c> was fetched.</summary>
    public int Fetches(string name) => _fetches.GetValueOrDefault(name);

    /// <summary>Starts the server on a free loopback port.</summary>
    public static Task<LocalImageServer> StartAsync() => StartAsync<LocalImageServer>();

    /// <inheritdoc />
    protected override void Map(WebApplication app)
    {
        app.MapGet("/images/{name}", (string name) =>
        {
            _fetches.AddOrUpdate(name, 1, (_, n) => n + 1);
            return Results.Bytes(Bytes(name), "image/png");
        });
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
    }
}
