namespace Conversations.IntegrationTests.Cluster;

/// <summary>
/// The restore drill: deploy/backup.sh dumps a running platform's database (and, here, the master key file),
/// deploy/restore.sh loads it into an empty database, and a platform started on the restored copy with the restored
/// master key serves the same API keys, the sealed conversations and their history.
/// </summary>
public sealed class BackupRestoreDrillTests(ITestOutputHelper output)
{
    [Fact(DisplayName = "Restore drill: a backup restored into an empty database serves the restored conversations")]
    public async Task Backup_restores_into_an_empty_database_and_serves()
    {
        await using var cluster = await ProcessCluster.CreateAsync("backup");
        var db = cluster.Database;
        var folder = Path.Combine(Path.GetTempPath(), "conversations-backup-" + Guid.NewGuid().ToString("n")[..8]);
        string userKey, conversationId;
        List<string> before;
        await using (var api = await PlatformProcess.StartApiAsync(cluster.Settings))
        {
            userKey = await cluster.NewUserKeyAsync(api, "backup");
            using var user = new ApiClient(api.BaseUrl!, userKey);
            conversationId = await user.CreateConversationAsync("kept across a restore");
            Assert.Equal("done", (await user.SendAsync(conversationId, "restore-drill-marker: what is the leave policy?"))[^1].Name);
            before = await ContentsAsync(user, conversationId);
            // The backup runs while the platform serves.
            // The master key file travels with this backup only for the drill; in production it is backed up apart.
            var (code, log) = await RunAsync("backup.sh", Url(db.ConnectionString), folder, "--with", TestKeys.MasterKeyFile);
            Assert.True(code == 0, log);
        }

        var restoredName = "restored_" + Guid.NewGuid().ToString("n")[..12];
        await CreateEmptyDatabaseAsync(restoredName);
        try
        {
            var restoredCs = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = restoredName }.ConnectionString;
            var clock = Stopwatch.StartNew();
            var (code, log) = await RunAsync("restore.sh", folder, Url(restoredCs));
            Assert.True(code == 0, log);
            // Restoring into a database that has tables is refused, so a restore never mixes two states.
            var (again, refusal) = await RunAsync("restore.sh", folder, Url(restoredCs));
            Assert.NotEqual(0, again);
            Assert.Contains("empty", refusal, StringComparison.Ordinal);

            // A new cluster on the restored copy: the same key works and the history is all there; new turns go on.
            // Grain state is stored under the service id, which stays; the cluster id is new.
            // The restored platform reads its data keys from the restored database, wrapped by the restored master key.
            var restoredKey = Path.Combine(folder, "restored-" + Path.GetFileName(TestKeys.MasterKeyFile));
            File.Copy(Path.Combine(folder, Path.GetFileName(TestKeys.MasterKeyFile)), restoredKey);
            var restoredSettings = new PlatformProcess.Settings(restoredCs, "restored-" + Guid.NewGuid().ToString("n")[..8])
            {
                Environment =
                {
                    ["Bootstrap__OperatorKey"] = cluster.OperatorKey, ["Orleans__ServiceId"] = cluster.Settings.ClusterId,
                    ["Encryption__MasterKeyFile"] = restoredKey,
                },
            };
            await using var restored = await PlatformProcess.StartApiAsync(restoredSettings);
            using var again2 = new ApiClient(restored.BaseUrl!, userKey);
            Assert.Equal(before, await ContentsAsync(again2, conversationId));
            Assert.Equal("done", (await again2.SendAsync(conversationId, "and after the restore?"))[^1].Name);
            output.WriteLine($"restore and first answer on the restored copy: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await TestDatabase.DropAsync(TestDatabase.ServerConnectionString, restoredName);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<string>> ContentsAsync(ApiClient user, string id) =>
        (await user.MessagesAsync(id)).Select(m => m!["role"]!.GetValue<string>() + ": " + m["content"]!.GetValue<string>()).ToList();

    // The libpq URL the scripts take, for an Npgsql connection string.
    private static string Url(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{Uri.EscapeDataString(b.Username!)}:{Uri.EscapeDataString(b.Password!)}@{b.Host}:{b.Port}/{b.Database}";
    }

    private static async Task CreateEmptyDatabaseAsync(string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var c = new NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<(int Code, string Output)> RunAsync(string script, params string[] args)
    {
        var run = await CommandLine.RunAsync(new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "deploy", script), .. args]), TimeSpan.FromMinutes(5));
        return (run.ExitCode, run.All);
    }
}
