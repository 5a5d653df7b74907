using System.Diagnostics;

namespace Conversations.Testing.Platform;

/// <summary>What a finished command wrote.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Errors">Its standard error.</param>
public sealed record CommandResult(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output then standard error, for a failure message.</summary>
    public string All => Output + Errors;
}

/// <summary>Runs a command-line tool (a deploy script, pg_dump, npm, promtool) to its end and collects what it wrote.</summary>
public static class CommandLine
{
    /// <summary>
    /// Starts <paramref name="start"/> with its output read here and waits up to <paramref name="timeout"/> for it to
    /// end; one that runs longer is killed with its children and fails with a <see cref="TimeoutException"/> that
    /// carries what it wrote.
    /// </summary>
    public static async Task<CommandResult> RunAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken ct = default)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        // Read to the end whatever happens: a killed process closes its pipes, and what it wrote explains the kill.
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var time = CancellationTokenSource.CreateLinkedTokenSource(ct);
        time.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(time.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            throw new TimeoutException($"{start.FileName} did not end within {timeout}:\n{await output}\n{await errors}");
        }
        return new CommandResult(process.ExitCode, await output, await errors);
    }
}
