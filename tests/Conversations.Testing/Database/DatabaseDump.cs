using System.Diagnostics;
using Conversations.Testing.Platform;
using Npgsql;

namespace Conversations.Testing.Database;

/// <summary>
/// A plain-text <c>pg_dump</c> of a whole database, for tests that prove what is (and is not) stored at rest:
/// planted markers and secrets must not appear in it.
/// </summary>
public static class DatabaseDump
{
    /// <summary>The pg_dump of the local PostgreSQL 15 binaries (deploy/local-db.sh), or the one on PATH.</summary>
    public static string PgDumpPath =>
        File.Exists("/usr/lib/postgresql/15/bin/pg_dump") ? "/usr/lib/postgresql/15/bin/pg_dump" : "pg_dump";

    /// <summary>Dumps schema and data of the database named in <paramref name="connectionString"/> as SQL text.</summary>
    public static async Task<string> DumpAsync(string connectionString, CancellationToken ct = default)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var psi = new ProcessStartInfo(PgDumpPath);
        foreach (var a in new[] { "-h", b.Host ?? "127.0.0.1", "-p", b.Port.ToString(), "-U", b.Username ?? "postgres",
                     "--no-owner", "--no-privileges", b.Database ?? "postgres" })
            psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = b.Password ?? "";
        var dump = await CommandLine.RunAsync(psi, TimeSpan.FromMinutes(2), ct);
        if (dump.ExitCode != 0)
            throw new InvalidOperationException($"pg_dump failed ({dump.ExitCode}): {dump.Errors}");
        return dump.Output;
    }
}
