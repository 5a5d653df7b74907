using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Conversations.Moderation.IntegrationTests.Infrastructure;

/// <summary>The real API host (silo in the same process) started from its build output, spoken to over real HTTP.</summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PlatformProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>http://127.0.0.1:PORT.</summary>
    public string BaseUrl { get; }

    /// <summary>Everything the process printed so far.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the API with <paramref name="environment"/> (configuration keys with __) and waits for /healthz.</summary>
    public static async Task<PlatformProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var cluster = "mod-" + Guid.NewGuid().ToString("n")[..8];
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["Orleans__ClusterId"] = cluster,
            ["Orleans__ServiceId"] = cluster,
            ["Orleans__SiloPort"] = FreePort().ToString(),
            ["Orleans__GatewayPort"] = FreePort().ToString(),
            ["Hosting__Mode"] = "all",
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Logging__LogLevel__Default"] = "Information",
        };
        foreach (var (k, v) in environment) env[k] = v;
        var dll = Path.Combine(RepoRoot(), "src", "Conversations.Api", "bin", Configuration(), "net10.0", "linux-x64", "Conversations.Api.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Build src/Conversations.Api first.", dll);
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new PlatformProcess(Process.Start(psi)!, $"http://127.0.0.1:{port}");
        await p.WaitForHealthAsync(TimeSpan.FromSeconds(120));
        return p;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WaitForHealthAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException("Host exited during start-up:\n" + Log);
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("Host did not become healthy in time:\n" + Log);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conversations.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conversations.sln not found above the test folder.");
    }
}
