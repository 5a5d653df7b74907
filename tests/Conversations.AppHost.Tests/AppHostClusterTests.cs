using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conversations.AppHost.Tests;

/// <summary>
/// The AppHost run by the Aspire orchestrator (DCP) on a scratch database: its silos form one cluster and the API
/// host answers a chat turn with the demo key, as `dotnet run --project src/Conversations.AppHost` does.
/// </summary>
public sealed class AppHostClusterTests
{
    private const string DemoUserKey = "cvk_demoalice_local-demo-user-secret";

    [Fact]
    public async Task Two_silos_form_one_cluster_and_the_api_host_answers_a_turn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var db = await TestDatabase.CreateAsync("apphost");
        var keys = Directory.CreateTempSubdirectory("apphost-keys");
        try
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conversations_AppHost>(
                [$"--ConnectionStrings:Postgres={db.ConnectionString}", $"--Encryption:MasterKeyFile={Path.Combine(keys.FullName, "master.key")}"],
                (_, settings) => settings.EnvironmentName = "Development", timeout.Token);
            // The silos' health checks fail until each silo listens; those expected failures would flood the output.
            builder.Services.AddLogging(l => l.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
            await using var app = await builder.BuildAsync(timeout.Token);
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);

            using var alice = new ApiClient(app.GetEndpoint("api", "http").ToString().TrimEnd('/'), DemoUserKey);
            var conversation = await alice.CreateConversationAsync();
            var done = (await alice.SendAsync(conversation, "What can you do?", timeout.Token)).Done();
            Assert.Equal("stop", done["finishReason"]!.GetValue<string>());

            await using var active = db.DataSource.CreateCommand("SELECT count(*) FROM orleans_membership WHERE status = 3");
            Assert.Equal(2L, await active.ExecuteScalarAsync(timeout.Token));
            await app.StopAsync(timeout.Token);
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }
}
