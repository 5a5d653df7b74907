using Conversations.Models.Embeddings;

namespace Conversations.Knowledge.Tests.Api;

/// <summary>
/// Switching the local model to all-MiniLM-L6-v2-int8 (<c>Models:Embeddings:LocalModel</c>) on a database whose
/// documents were embedded with the fp32 model, through real platform processes: until re-embedded, searches leave the
/// fp32 vectors out and answer from the text; the documents list and the embedding status show what is left; the
/// background re-embedding, stopped midway with its process, goes on in the next process from where it was.
/// </summary>
public sealed class EmbeddingModelSwitchTests(KnowledgeApp app) : PostgresTests
{
    private static readonly object[] Documents =
    [
        new { id = "leave", title = "Leave", label = "handbook", content = "Everyone has 25 days of annual leave, booked in the HR portal." },
        new { id = "expenses", title = "Expenses", label = "handbook", content = "Travel expenses are paid within 30 days of the claim." },
        new { id = "badges", title = "Badges", label = "handbook", content = "Badges are renewed every year; a lost badge takes 10 days." },
        new { id = "parking", title = "Parking", label = "handbook", content = "Parking spaces are given for a year; ask 30 days ahead." },
        new { id = "laptops", title = "Laptops", label = "handbook", content = "Laptops are replaced every three years, within 10 days of a request." },
        new { id = "training", title = "Training", label = "handbook", content = "Each employee has 5 days of paid training a year." },
    ];

    private const string Question = "How many days of annual leave?";

    [Fact]
    public async Task After_a_switch_old_vectors_are_left_out_and_re_embedded_in_the_background_resuming_after_a_stop()
    {
        var tenant = TestIds.Tenant("int8");
        var adminKey = await app.CreateTenantAsync(tenant);
        var userKey = await app.CreateUserAsync(tenant, "user1");
        var fp32Admin = app.ClientWithKey(adminKey);
        Assert.All(await UploadAsync(fp32Admin), s => Assert.Equal("created", s));

        // A platform configured for the int8 model, its background re-embedding off: nothing is converted yet.
        await using (var waiting = await StartInt8Async(new() { ["Knowledge__ReembedEnabled"] = "false" }))
        {
            using var admin = new ApiClient(waiting.BaseUrl!, adminKey);
            var status = await admin.GetJsonAsync("/v1/knowledge/embeddings");
            Assert.Equal((MiniLmEmbeddingGenerator.QuantizedModelId, 6, 6L, false), (status["model"]!.GetValue<string>(),
                status["staleDocuments"]!.GetValue<int>(), status["staleChunks"]!.GetValue<long>(), status["reembedding"]!.GetValue<bool>()));
            Assert.All((await admin.GetJsonAsync("/v1/knowledge/documents"))["documents"]!.AsArray(), d => Assert.Equal(
                (MiniLmEmbeddingGenerator.ModelId, 1), (d!["embeddingModel"]!.GetValue<string>(), d["staleChunks"]!.GetValue<int>())));
            // The search answers from the text alone: no chunk comes with a similarity, which only the vector half gives.
            var before = await SearchAsync(admin, waiting, userKey);
            Assert.NotEmpty(before);
            Assert.All(before, c => Assert.False(HasSimilarity(c)));
        }

        // Re-embedding one chunk every two seconds; the process is killed once it has done some and not all.
        var slow = await StartInt8Async(new() { ["Knowledge__ReembedBatchChunks"] = "1", ["Knowledge__ReembedPause"] = "00:00:02" });
        long stale;
        using (var admin = new ApiClient(slow.BaseUrl!, adminKey))
            stale = await WaitForStaleAsync(admin, s => s < 6);
        slow.Kill();
        await slow.DisposeAsync();
        Assert.InRange(stale, 1, 5);

        // The next process goes on from the rows and finishes.
        await using var resumed = await StartInt8Async([]);
        using var int8Admin = new ApiClient(resumed.BaseUrl!, adminKey);
        Assert.Equal(0, await WaitForStaleAsync(int8Admin, s => s == 0));
        Assert.All((await int8Admin.GetJsonAsync("/v1/knowledge/documents"))["documents"]!.AsArray(), d => Assert.Equal(
            (MiniLmEmbeddingGenerator.QuantizedModelId, 0), (d!["embeddingModel"]!.GetValue<string>(), d["staleChunks"]!.GetValue<int>())));
        // Re-embedded content is current: a re-upload of it is a no-op.
        Assert.All(await UploadAsync(int8Admin.Http), s => Assert.Equal("unchanged", s));
        var after = await SearchAsync(int8Admin, resumed, userKey);
        Assert.Equal("leave", after[0].GetProperty("documentId").GetString());
        Assert.True(HasSimilarity(after[0]));
    }

    private static bool HasSimilarity(JsonElement chunk) =>
        chunk.TryGetProperty("similarity", out var s) && s.ValueKind == JsonValueKind.Number;

    // The same database, served by a platform configured for the int8 model (the demo is already seeded).
    private async Task<PlatformProcess> StartInt8Async(Dictionary<string, string> environment)
    {
        var settings = new PlatformProcess.Settings(app.Settings.ConnectionString, $"int8-{Guid.NewGuid():n}"[..13])
        {
            Environment = new(app.Settings.Environment)
            {
                ["Bootstrap__DemoEnabled"] = "false",
                ["Models__Embeddings__LocalModel"] = MiniLmEmbeddingGenerator.QuantizedModelId,
                ["Knowledge__ReembedEnabled"] = "true",
            },
        };
        foreach (var (k, v) in environment) settings.Environment[k] = v;
        return await PlatformProcess.StartApiAsync(settings, httpPort: PlatformProcess.FreePort());
    }

    private static async Task<long> WaitForStaleAsync(ApiClient admin, Func<long, bool> done)
    {
        for (var i = 0; i < 600; i++)
        {
            var stale = (await admin.GetJsonAsync("/v1/knowledge/embeddings"))["staleChunks"]!.GetValue<long>();
            if (done(stale)) return stale;
            await Task.Delay(100);
        }
        throw new TimeoutException("The re-embedding did not get there in a minute.");
    }

    // Grain state (the ACL) belongs to a cluster; the documents are the database's.
    private static async Task<List<JsonElement>> SearchAsync(ApiClient admin, PlatformProcess platform, string userKey)
    {
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/v1/acl/roles/everyone", new { labels = new[] { "handbook" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PutAsJsonAsync("/v1/acl/users/user1/roles", new { roles = new[] { "everyone" } })).StatusCode);
        using var user = new ApiClient(platform.BaseUrl!, userKey);
        var search = await user.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = Question, topK = 3 });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        return [.. (await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("chunks").EnumerateArray()];
    }

    private static async Task<List<string?>> UploadAsync(HttpClient admin)
    {
        var response = await admin.PostAsJsonAsync("/v1/knowledge/documents", new { documents = Documents });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("status").GetString())];
    }
}
