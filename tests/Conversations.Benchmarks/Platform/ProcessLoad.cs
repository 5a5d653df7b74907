namespace Conversations.Benchmarks.Platform;

/// <summary>
/// A Linux process's CPU time and context switches (all its threads), read from /proc: the difference over a phase,
/// divided by the turns it completed, is what one turn costs the process, less noisy on a shared machine than turns/s.
/// </summary>
public readonly record struct ProcessLoad(double CpuMs, long VoluntarySwitches, long InvoluntarySwitches)
{
    // utime and stime in /proc/PID/stat count in clock ticks, 100 a second on Linux.
    private const double MsPerTick = 10;

    /// <summary>The counters now; null where /proc is not there (not Linux) or the process has gone.</summary>
    public static ProcessLoad? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The fields after the command name (which may hold spaces, inside parentheses): state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpuMs = (long.Parse(fields[11]) + long.Parse(fields[12])) * MsPerTick;
            long voluntary = 0, involuntary = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary += long.Parse(line.AsSpan(24).Trim());
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary += long.Parse(line.AsSpan(27).Trim());
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read; its switches are lost from both ends alike.
                }
            }
            return new ProcessLoad(cpuMs, voluntary, involuntary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"CPU ms / switches (voluntary + involuntary)" per turn between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static string PerTurn(ProcessLoad? before, ProcessLoad? after, int turns)
    {
        if (before is not { } b || after is not { } a || turns == 0) return "–";
        var n = (double)turns;
        return $"{(a.CpuMs - b.CpuMs) / n:0.00} / {(a.VoluntarySwitches - b.VoluntarySwitches) / n:0.0} + {(a.InvoluntarySwitches - b.InvoluntarySwitches) / n:0.0}";
    }
}
