using System.Diagnostics;

namespace Conversations.Testing.Platform;

/// <summary>Runs the Node.js tools the tests use (the openai npm client, the OpenAPI linter) from their folders under tests/.</summary>
public static class NodeTools
{
    /// <summary>The folder of a tool under tests/, with its packages installed from the lock file when missing.</summary>
    public static async Task<string> FolderAsync(string name, string marker)
    {
        var folder = Path.Combine(RepoPaths.Root, "tests", name);
        // deploy/test.sh installs them first; a test run from an IDE installs them here.
        if (!File.Exists(Path.Combine(folder, "node_modules", marker)))
            await RunAsync("npm", "ci --no-audit --no-fund", folder, new Dictionary<string, string>());
        return folder;
    }

    /// <summary>Runs a command in a folder and returns its standard output; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string file, string arguments, string folder, IDictionary<string, string> environment, bool mustSucceed = true)
    {
        var psi = new ProcessStartInfo(file, arguments) { WorkingDirectory = folder };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        CommandResult run;
        try
        {
            run = await CommandLine.RunAsync(psi, TimeSpan.FromMinutes(3));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{file} is required for this test (deploy/test.sh installs Node.js and the tools): {e.Message}");
            throw;
        }
        if (mustSucceed) Assert.True(run.ExitCode == 0, $"{file} {arguments} exited with {run.ExitCode}:\n{run.Output}\n{run.Errors}");
        return run.Output;
    }
}
