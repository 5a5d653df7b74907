using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Conversations.Testing.Platform;

/// <summary>
/// A real host process (the API in single-process or client mode, or a silo) started from its build output, so tests
/// use real HTTP and can kill it with SIGKILL.
/// </summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PlatformProcess(Process process, string? baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>http://127.0.0.1:PORT for API processes; null for silos.</summary>
    public string? BaseUrl { get; }

    /// <summary>http://127.0.0.1:PORT of a silo's management port (/metrics, /healthz, /readyz); null for API processes.</summary>
    public string? ManagementUrl { get; private init; }

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>The operating system's id of the process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>How long a host may take to start: generous, because a cold host on a loaded machine JIT-compiles a lot.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Settings for a process of one test cluster.</summary>
    public sealed record Settings(string ConnectionString, string ClusterId)
    {
        /// <summary>Extra environment variables (configuration keys with __).</summary>
        public Dictionary<string, string> Environment { get; init; } = [];
    }

    /// <summary>Starts the API (mode "all" hosts a silo too; "client" connects to silos) and waits until /healthz answers.</summary>
    public static async Task<PlatformProcess> StartApiAsync(Settings settings, string mode = "all", int? httpPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = httpPort ?? FreePort();
            var env = CommonEnvironment(settings);
            env["Hosting__Mode"] = mode;
            var p = new PlatformProcess(Launch("Conversations.Api", env, $"--urls http://127.0.0.1:{port}"), $"http://127.0.0.1:{port}");
            try
            {
                await p.WaitForHealthAsync(StartTimeout);
                return p;
            }
            catch (InvalidOperationException) when (attempt < 3 && p.LostItsPort)
            {
                // Another process took a port between choosing and binding it: choose again (a fixed HTTP port is
                // tried again after a moment, as it is the one a restart test needs).
                await p.DisposeAsync();
                if (httpPort is not null) await Task.Delay(1000);
            }
        }
    }

    /// <summary>True when the host exited because a port it was given was already in use.</summary>
    private bool LostItsPort => !IsRunning && Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Starts a silo-only process and waits until it has joined the cluster (its gateway port accepts connections).
    /// Ports not given are drawn free; when another process takes one between drawing and binding it, the silo is
    /// started again on fresh ones (a given silo port is tried again after a moment, as a restart test needs it).
    /// </summary>
    public static async Task<PlatformProcess> StartSiloAsync(Settings settings, int? siloPort = null, int? gatewayPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var env = CommonEnvironment(settings);
            env["Orleans__SiloPort"] = (siloPort ?? FreePort()).ToString(CultureInfo.InvariantCulture);
            env["Orleans__GatewayPort"] = (gatewayPort ?? FreePort()).ToString(CultureInfo.InvariantCulture);
            var managementPort = FreePort();
            env["Telemetry__MetricsPort"] = managementPort.ToString(CultureInfo.InvariantCulture);
            var p = new PlatformProcess(Launch("Conversations.Silo", env, ""), null) { ManagementUrl = $"http://127.0.0.1:{managementPort}" };
            try
            {
                await p.WaitForSiloAsync(managementPort);
                return p;
            }
            catch (InvalidOperationException) when (attempt < 3 && p.LostItsPort)
            {
                await p.DisposeAsync();
                if (siloPort is not null || gatewayPort is not null) await Task.Delay(1000);
            }
        }
    }

    private async Task WaitForSiloAsync(int managementPort)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        // The management port answers once the host has started, which is after the silo joined the cluster (and
        // does not depend on the log level, which benchmarks turn down).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning) throw new InvalidOperationException("Silo exited during start-up:\n" + Log);
            if (Log.Contains("Application started", StringComparison.Ordinal)) return;
            try
            {
                if ((await http.GetAsync(ManagementUrl + "/healthz")).IsSuccessStatusCode && ListensOn(managementPort)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("Silo did not start in time:\n" + Log);
    }

    /// <summary>
    /// A free TCP port on loopback, drawn below the kernel's ephemeral range: a port from that range (what binding port
    /// 0 hands out) can be taken by any outgoing connection between this check and the host binding it, which failed
    /// CI runs with "address already in use".
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, EphemeralRangeStart);
            try
            {
                using var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                return port;
            }
            catch (SocketException) { }
        }
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }

    private static readonly int EphemeralRangeStart = ReadEphemeralRangeStart();

    private static int ReadEphemeralRangeStart()
    {
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return Math.Max(int.Parse(first, CultureInfo.InvariantCulture), 21_000);
        }
        catch (IOException) { return 32_768; }
        catch (UnauthorizedAccessException) { return 32_768; }
    }

    /// <summary>Kills the process at once, like <c>kill -9</c>.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WaitForHealthAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning) throw new InvalidOperationException("Host exited during start-up:\n" + Log);
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).IsSuccessStatusCode && ListensOn(new Uri(BaseUrl!).Port)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("Host did not become healthy in time:\n" + Log);
    }

    /// <summary>
    /// True when this process holds the listening socket of <paramref name="port"/>. Another test process's host can
    /// answer /healthz on a port this one was given but has not bound yet (it then exits with "address already in
    /// use"), and a test would talk to that host for its whole run; Linux's /proc says whose socket it is.
    /// </summary>
    private bool ListensOn(int port)
    {
        if (!OperatingSystem.IsLinux()) return true;
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = new HashSet<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ... inode: state 0A is LISTEN; the inode is the 10th field.
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == "0A" && f[1].EndsWith(":" + hexPort, StringComparison.Ordinal)) inodes.Add($"socket:[{f[9]}]");
            }
        }
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd")
                .Any(fd => new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target));
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static Dictionary<string, string> CommonEnvironment(Settings s)
    {
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = s.ConnectionString,
            ["Orleans__ClusterId"] = s.ClusterId,
            ["Orleans__ServiceId"] = s.ClusterId,
            ["Orleans__SiloPort"] = FreePort().ToString(),
            ["Orleans__GatewayPort"] = FreePort().ToString(),
            ["Orleans__FastFailureDetection"] = "true",
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Logging__LogLevel__Default"] = "Information",
            ["Encryption__MasterKeyFile"] = Database.TestKeys.MasterKeyFile,
        };
        foreach (var (k, v) in s.Environment) env[k] = v;
        return env;
    }

    private static Process Launch(string project, Dictionary<string, string> env, string args)
    {
        var dll = Path.Combine(RepoPaths.Root, "src", project, "bin", RepoPaths.Configuration, "net10.0", "linux-x64", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build {project} first (dotnet build -c {RepoPaths.Configuration}).", dll);
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {project}.");
    }
}
