using System.Diagnostics;
using Conversations.Testing.Platform;

namespace Conversations.Testing.Database;

/// <summary>
/// A PostgreSQL server of one test's own (deploy/local-db.sh with its own data folder and port), so a drill can stop
/// and restart it without touching the server the other tests share.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly int _port;

    private PrivatePostgres(string folder, int port)
    {
        _folder = folder;
        _port = port;
    }

    /// <summary>Connection string to the server's "conversations" database, as the shared server's.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port};Database=conversations;Username=conversations;Password=conversations";

    /// <summary>Creates and starts a new server on a free port.</summary>
    public static async Task<PrivatePostgres> StartNewAsync()
    {
        var folder = Path.Combine("/var/tmp", "conversations-drill-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(folder);
        // The server runs as user postgres when the tests run as root: it must reach its folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var server = new PrivatePostgres(folder, PlatformProcess.FreePort());
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server (again); returns when it accepts connections.</summary>
    public Task StartAsync() => RunAsync("start");

    /// <summary>Stops the server (fast shutdown: open connections are cut, as in a restart).</summary>
    public Task StopAsync() => RunAsync("stop");

    private async Task RunAsync(string command)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "deploy", "local-db.sh"), command]);
        psi.Environment["CONVERSATIONS_PG_DATA"] = Path.Combine(_folder, "pgdata");
        psi.Environment["CONVERSATIONS_PG_PORT"] = _port.ToString();
        var run = await CommandLine.RunAsync(psi, TimeSpan.FromMinutes(3));
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"local-db.sh {command} failed ({run.ExitCode}):\n{run.Output}\n{run.Errors}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
