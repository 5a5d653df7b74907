using Conversations.Models.Embeddings;

namespace Conversations.Knowledge.Tests.Api;

/// <summary>
/// Switching the local model to all-MiniLM-L6-v2-int8 (<c>Models:Embeddings:LocalModel</c>) on a database whose
/// documents were embedded with the fp32 model: a re-upload of the same content is embedded again with the new model
/// (not skipped as unchanged), each document says which model its vectors come from, and search answers.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EmbeddingModelSwitchTests(KnowledgeApp app)
{
    private static readonly object[] Documents =
    [
        new { id = "leave", title = "Leave", label = "handbook", content = "Everyone has 25 days of annual leave, booked in the HR portal." },
        new { id = "expenses", title = "Expenses", label = "handbook", content = "Travel expenses are paid within 30 days of the claim." },
    ];

    [Fact]
    public async Task A_re_upload_after_the_switch_re_embeds_with_the_int8_model()
    {
        var tenant = TestIds.Tenant("int8");
        var adminKey = await app.CreateTenantAsync(tenant);
        var userKey = await app.CreateUserAsync(tenant, "user1");
        var fp32Admin = app.ClientWithKey(adminKey);
        Assert.Equal(["created", "created"], await UploadAsync(fp32Admin));
        Assert.Equal([MiniLmEmbeddingGenerator.ModelId], await ModelsAsync(fp32Admin));

        // The same database, served by a platform configured for the int8 model (the demo is already seeded).
        var settings = new PlatformProcess.Settings(app.Settings.ConnectionString, $"int8-{Guid.NewGuid():n}"[..13])
        {
            Environment = new(app.Settings.Environment)
            {
                ["Bootstrap__DemoEnabled"] = "false",
                ["Models__Embeddings__LocalModel"] = MiniLmEmbeddingGenerator.QuantizedModelId,
            },
        };
        await using var int8 = await PlatformProcess.StartApiAsync(settings, httpPort: PlatformProcess.FreePort());
        using var int8Admin = new ApiClient(int8.BaseUrl!, adminKey);
        Assert.Equal(["updated", "updated"], await UploadAsync(int8Admin.Http));
        Assert.Equal([MiniLmEmbeddingGenerator.QuantizedModelId], await ModelsAsync(int8Admin.Http));
        Assert.Equal(["unchanged", "unchanged"], await UploadAsync(int8Admin.Http));

        // Grain state (the ACL) belongs to a cluster; the documents are the database's.
        Assert.Equal(HttpStatusCode.OK, (await int8Admin.Http.PutAsJsonAsync("/v1/acl/roles/everyone", new { labels = new[] { "handbook" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await int8Admin.Http.PutAsJsonAsync("/v1/acl/users/user1/roles", new { roles = new[] { "everyone" } })).StatusCode);
        using var int8User = new ApiClient(int8.BaseUrl!, userKey);
        var search = await int8User.Http.PostAsJsonAsync("/v1/knowledge/search", new { question = "How many days of annual leave?", topK = 2 });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var result = await search.Content.ReadFromJsonAsync<JsonElement>();
        var chunks = result.GetProperty("chunks").EnumerateArray().ToList();
        Assert.True(chunks.Count > 0, result.ToString());
        Assert.Equal("leave", chunks[0].GetProperty("documentId").GetString());
    }

    private static async Task<List<string?>> UploadAsync(HttpClient admin)
    {
        var response = await admin.PostAsJsonAsync("/v1/knowledge/documents", new { documents = Documents });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("documents").EnumerateArray().OrderBy(d => d.GetProperty("documentId").GetString())
            .Select(d => d.GetProperty("status").GetString())];
    }

    private static async Task<List<string?>> ModelsAsync(HttpClient admin)
    {
        var list = await admin.GetFromJsonAsync<JsonElement>("/v1/knowledge/documents");
        return [.. list.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("embeddingModel").GetString()).Distinct()];
    }
}
