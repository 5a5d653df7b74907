namespace Conversations.Benchmarks.Platform;

/// <summary>
/// What a Linux process spent during a phase, read from /proc: CPU time (utime + stime, which keep the time of threads
/// that ended) and context switches of all its threads. A thread's switches leave /proc with it, so every thread is
/// sampled every 100 ms while the phase runs and counted up to its last sample. Per completed turn, these say what a
/// turn costs the process, less noisy on a shared machine than turns/s.
/// </summary>
public sealed class ProcessLoad : IAsyncDisposable
{
    // utime and stime in /proc/PID/stat count in clock ticks, 100 a second on Linux.
    private const double MsPerTick = 10;

    private readonly int _pid;
    private readonly Dictionary<string, (long Voluntary, long Involuntary)> _first = [];
    private readonly Dictionary<string, (long Voluntary, long Involuntary)> _last = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly double? _cpuMsAtStart;
    private readonly Task _sampling;

    private ProcessLoad(int pid)
    {
        _pid = pid;
        _cpuMsAtStart = CpuMs(pid);
        Sample(true);
        _sampling = SampleAsync();
    }

    /// <summary>Starts measuring <paramref name="pid"/>.</summary>
    public static ProcessLoad Start(int pid) => new(pid);

    /// <summary>Stops measuring; "CPU ms / switches (voluntary + involuntary)" per turn, or "–" where /proc is not there.</summary>
    public async Task<string> PerTurnAsync(int turns)
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample(false);
        if (_cpuMsAtStart is not { } start || CpuMs(_pid) is not { } end || turns == 0) return "–";
        long voluntary = 0, involuntary = 0;
        foreach (var (tid, last) in _last)
        {
            var first = _first.GetValueOrDefault(tid); // a thread started during the phase counts from zero
            voluntary += last.Voluntary - first.Voluntary;
            involuntary += last.Involuntary - first.Involuntary;
        }
        var n = (double)turns;
        return $"{(end - start) / n:0.00} / {voluntary / n:0.0} + {involuntary / n:0.0}";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(100, _stop.Token);
                Sample(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The phase ended.
        }
    }

    private void Sample(bool first)
    {
        IEnumerable<string> tasks;
        try { tasks = Directory.EnumerateDirectories($"/proc/{_pid}/task").ToList(); }
        catch (IOException) { return; } // not Linux, or the process has gone
        foreach (var task in tasks)
        {
            long voluntary = -1, involuntary = -1;
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary = long.Parse(line.AsSpan(24).Trim());
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary = long.Parse(line.AsSpan(27).Trim());
                }
            }
            catch (IOException)
            {
                continue; // the thread ended between the listing and the read: its last sample stands
            }
            if (voluntary < 0 || involuntary < 0) continue;
            var tid = Path.GetFileName(task);
            if (first) _first[tid] = (voluntary, involuntary);
            _last[tid] = (voluntary, involuntary);
        }
    }

    private static double? CpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The fields after the command name (which may hold spaces, inside parentheses): utime is field 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) * MsPerTick;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
