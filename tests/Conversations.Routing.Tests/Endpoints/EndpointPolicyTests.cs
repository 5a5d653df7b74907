using System.Net.Sockets;
using System.Text;

namespace Conversations.Routing.Tests.Endpoints;

public sealed class EndpointPolicyTests
{
    private static EndpointPolicy Production(params string[] allow) =>
        new(new EndpointPolicyOptions { Allow = [.. allow] }.ApplyDefaults("Production"));

    [Theory]
    [InlineData("http://127.0.0.1:8080/v1", "endpoint address 127.0.0.1 is loopback")]
    [InlineData("https://127.0.0.1/v1", "is loopback")]
    [InlineData("https://[::1]:8443/v1", "endpoint address ::1 is loopback")]
    [InlineData("https://localhost/v1", "endpoint host 'localhost' is loopback")]
    [InlineData("https://api.localhost/v1", "is loopback")]
    [InlineData("http://10.0.0.1/v1", "is private (RFC 1918)")]
    [InlineData("https://192.168.0.10/v1", "is private")]
    [InlineData("https://100.64.1.1/v1", "shared address space")]
    [InlineData("https://[fd00::1]/v1", "unique local")]
    [InlineData("http://169.254.169.254/latest/meta-data", "cloud metadata")]
    [InlineData("https://metadata.google.internal/v1", "cloud metadata")]
    [InlineData("https://0.0.0.0/v1", "unspecified")]
    [InlineData("https://[::ffff:127.0.0.1]/v1", "loopback")]
    [InlineData("http://api.example.com/v1", "uses http")]
    public void Production_refuses_and_names_the_rule(string endpoint, string rule)
    {
        // Proves each refused endpoint gets a message that names the rule and the setting that lifts it.
        var problem = Production().CheckUrl(endpoint);
        Assert.NotNull(problem);
        Assert.Contains(rule, problem);
        Assert.Contains("Endpoints", problem);
    }

    [Fact]
    public void Production_accepts_public_https_endpoints()
    {
        var policy = Production();
        Assert.Null(policy.CheckUrl("https://dashscope.aliyuncs.com/compatible-mode/v1"));
        Assert.Null(policy.CheckUrl("https://8.8.8.8/v1"));
        Assert.Contains("absolute http or https URL", policy.CheckUrl("ftp://api.example.com/v1"));
    }

    [Fact]
    public void Development_keeps_loopback_and_http_for_the_test_model_but_nothing_else()
    {
        // Proves the relaxed defaults admit the local test model, and still refuse private and metadata addresses.
        var policy = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Development"));
        Assert.Null(policy.CheckUrl("http://127.0.0.1:5099/v1"));
        Assert.Null(policy.CheckUrl("http://localhost:5099/v1"));
        Assert.Contains("private", policy.CheckUrl("http://10.0.0.1/v1"));
        Assert.Contains("cloud metadata", policy.CheckUrl("http://169.254.169.254/v1"));
        Assert.Contains("unspecified", policy.CheckUrl("http://0.0.0.0:5099/v1"));
        Assert.Null(new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Testing")).CheckUrl("http://127.0.0.1:1/v1"));
    }

    [Fact]
    public void Settings_override_the_environment_defaults()
    {
        var strictDev = new EndpointPolicy(new EndpointPolicyOptions { AllowHttp = false, AllowLoopback = false }.ApplyDefaults("Development"));
        Assert.Contains("loopback", strictDev.CheckUrl("http://127.0.0.1:5099/v1"));
        var privateProd = new EndpointPolicy(new EndpointPolicyOptions { AllowPrivateNetworks = true }.ApplyDefaults("Production"));
        Assert.Null(privateProd.CheckUrl("https://10.1.2.3/v1"));
        Assert.Contains("uses http", privateProd.CheckUrl("http://10.1.2.3/v1"));
        Assert.Contains("cloud metadata", privateProd.CheckUrl("https://169.254.169.254/v1"));
    }

    [Fact]
    public void The_allow_list_admits_self_hosted_models_by_host_or_range_over_http_too()
    {
        var policy = Production("10.20.0.0/16", "models.corp.example", "*.gpu.example", "127.0.0.2");
        Assert.Null(policy.CheckUrl("http://10.20.3.4:8000/v1"));
        Assert.Null(policy.CheckUrl("http://models.corp.example:8000/v1"));
        Assert.Null(policy.CheckUrl("http://vllm-1.gpu.example/v1"));
        Assert.Null(policy.CheckUrl("http://127.0.0.2:9000/v1"));
        Assert.Contains("loopback", policy.CheckUrl("http://127.0.0.1:9000/v1"));
        Assert.Contains("private", policy.CheckUrl("https://10.21.0.1/v1"));
        Assert.Contains("uses http", policy.CheckUrl("http://other.corp.example/v1"));
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("not a host!")]
    [InlineData("300.1.1.1/32")]
    [InlineData("")]
    public void Unusable_allow_entries_fail_at_start_up_naming_the_entry(string entry)
    {
        var options = new EndpointPolicyOptions { Allow = [entry] }.ApplyDefaults("Production");
        Assert.Contains($"'{entry}'", options.Problem());
        Assert.Throws<ArgumentException>(() => new EndpointPolicy(options));
    }

    [Fact]
    public async Task Registration_checks_the_addresses_a_name_resolves_to()
    {
        // Proves a name that resolves to loopback is refused at registration, naming the name and the address.
        var policy = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Production"), Resolver(["127.0.0.1"]));
        var problem = await policy.CheckRegistrationAsync("https://models.example/v1");
        Assert.Contains("endpoint host 'models.example' resolves to 127.0.0.1, which is loopback", problem);
        var unresolvable = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Production"),
            (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)));
        Assert.Null(await unresolvable.CheckRegistrationAsync("https://models.example/v1")); // the connect-time check still guards it
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_at_connect_time_is_never_connected_to()
    {
        // DNS rebinding: the name resolved to a public address when it was registered, and to loopback when called.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answers = new Queue<string>(["93.184.216.34", "127.0.0.1"]);
        var policy = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Production"),
            (_, _) => Task.FromResult(new[] { IPAddress.Parse(answers.Dequeue()) }));
        Assert.Null(await policy.CheckRegistrationAsync($"https://models.example:{port}/v1"));

        using var http = new HttpClient(policy.CreateHandler());
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://models.example:{port}/v1/models"));
        var refused = Assert.IsType<EndpointRefusedException>(e.InnerException);
        Assert.Contains("resolves to 127.0.0.1, which is loopback", refused.Message);
        Assert.False(listener.Pending()); // nothing ever connected
    }

    [Fact]
    public async Task Connections_go_only_to_allowed_addresses_of_a_name()
    {
        // Proves a name with a refused and an allowed address is connected through the allowed one only.
        await using var server = await TinyServer.StartAsync();
        var policy = new EndpointPolicy(new EndpointPolicyOptions { Allow = ["127.0.0.1"] }.ApplyDefaults("Production"),
            Resolver(["169.254.169.254", "127.0.0.1"]));
        using var http = new HttpClient(policy.CreateHandler());
        Assert.Equal("ok", await http.GetStringAsync($"http://models.example:{server.Port}/v1/models"));
    }

    [Fact]
    public async Task Literal_and_reserved_names_are_checked_at_connect_time_without_asking_dns()
    {
        await using var server = await TinyServer.StartAsync();
        var asked = 0;
        var policy = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Production"), (_, _) =>
        {
            asked++;
            return Task.FromResult(new[] { IPAddress.Loopback });
        });
        using var http = new HttpClient(policy.CreateHandler());
        var literal = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{server.Port}/"));
        Assert.Contains("endpoint address 127.0.0.1 is loopback", literal.InnerException!.Message);
        var name = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://localhost:{server.Port}/"));
        Assert.Contains("'localhost' is loopback", name.InnerException!.Message);
        Assert.Equal(0, asked);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task An_allowlisted_host_name_is_connected_to_whatever_it_resolves_to()
    {
        await using var server = await TinyServer.StartAsync();
        var policy = new EndpointPolicy(new EndpointPolicyOptions { Allow = ["models.internal"] }.ApplyDefaults("Production"), Resolver(["127.0.0.1"]));
        using var http = new HttpClient(policy.CreateHandler());
        Assert.Equal("ok", await http.GetStringAsync($"http://models.internal:{server.Port}/v1/models"));
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        // Proves an allowed endpoint cannot send the platform on to another address with a redirect.
        await using var server = await TinyServer.StartAsync("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n");
        var policy = new EndpointPolicy(new EndpointPolicyOptions().ApplyDefaults("Development"));
        using var http = new HttpClient(policy.CreateHandler());
        var response = await http.GetAsync($"http://127.0.0.1:{server.Port}/");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
    }

    private static Func<string, CancellationToken, Task<IPAddress[]>> Resolver(string[] addresses) =>
        (_, _) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());

    /// <summary>A loopback TCP server that answers every request with one fixed HTTP response.</summary>
    private sealed class TinyServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _response;
        private Task _loop = Task.CompletedTask;
        private int _connections;

        private TinyServer(string response) => _response = response;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public static Task<TinyServer> StartAsync(string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        {
            var server = new TinyServer(response);
            server._listener.Start();
            server._loop = server.RunAsync();
            return Task.FromResult(server);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try { await _loop; } catch (OperationCanceledException) { } catch (SocketException) { } catch (ObjectDisposedException) { }
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var read = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                    read += await stream.ReadAsync(buffer.AsMemory(read), _stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(_response), _stop.Token);
            }
        }
    }
}
