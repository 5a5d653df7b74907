// Settings from the command line, e.g. --urls http://127.0.0.1:5099 --ttft-ms 50 --token-ms 10.
var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
var options = CommandLineOptions.Read(settings);

await using var server = await TestModelServer.StartAsync(options, handleConsoleSignals: true, CancellationToken.None);
Console.WriteLine($"Test model server: {server.BaseUrl} (control: {server.RootUrl}/control). Ctrl+C stops it.");
await server.WaitForShutdownAsync();
