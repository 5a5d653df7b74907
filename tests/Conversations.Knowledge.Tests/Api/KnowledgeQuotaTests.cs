namespace Conversations.Knowledge.Tests.Api;

/// <summary>
/// The per-tenant chunk limit (<c>Knowledge:MaxChunksPerTenant</c>), through a platform process configured with a small
/// one: an upload that would pass it is a 409 that stores nothing and says how full the knowledge base is; replacing
/// and deleting documents count; another tenant is not affected.
/// </summary>
public sealed class KnowledgeQuotaTests(KnowledgeApp app) : PostgresTests
{
    private const int Limit = 12;

    // About seven chunks of the default size; each id gets its own words, so no upload is "unchanged".
    private static object Doc(string id, int sentences) => new
    {
        id, title = $"Policy {id}", label = "handbook",
        content = string.Join(' ', Enumerable.Range(0, sentences).Select(i => $"Rule {i} of {id}: claims are filed within thirty days with every receipt attached and approved.")),
    };

    [Fact(DisplayName = "Past the per-tenant chunk limit an upload is a 409 knowledge_quota_exceeded that stores nothing (JSON and NDJSON); replacing and deleting documents make room; another tenant uploads on")]
    public async Task Upload_past_the_limit_is_refused_whole()
    {
        var tenant = TestIds.Tenant("quota");
        var other = TestIds.Tenant("quotb");
        var adminKey = await app.CreateTenantAsync(tenant);
        var otherKey = await app.CreateTenantAsync(other);
        var settings = new PlatformProcess.Settings(app.Settings.ConnectionString, $"quota-{Guid.NewGuid():n}"[..14])
        {
            Environment = new(app.Settings.Environment)
            {
                ["Bootstrap__DemoEnabled"] = "false",
                ["Knowledge__MaxChunksPerTenant"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        await using var platform = await PlatformProcess.StartApiAsync(settings, httpPort: PlatformProcess.FreePort());
        using var admin = new ApiClient(platform.BaseUrl!, adminKey);

        var first = await UploadAsync(admin, Doc("a", 60));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var held = (await first.Content.ReadFromJsonAsync<JsonNode>())!["documents"]![0]!["chunkCount"]!.GetValue<int>();
        Assert.InRange(held, 4, Limit - 1);

        // A second document of the same size does not fit: nothing of the upload is stored, and the numbers say why.
        var refused = await UploadAsync(admin, Doc("small", 2), Doc("b", 60));
        var problem = await ApiClient.ProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.Equal("knowledge_quota_exceeded", problem["code"]!.GetValue<string>());
        Assert.Equal((held, Limit), (problem["heldChunks"]!.GetValue<long>(), problem["limitChunks"]!.GetValue<long>()));
        Assert.True(held + problem["uploadChunks"]!.GetValue<long>() > Limit, problem.ToJsonString());
        Assert.Contains("Delete documents", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/knowledge/documents/small")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/knowledge/documents/b")).StatusCode);
        // The admin can see how full the base is before uploading.
        var status = await admin.GetJsonAsync("/v1/knowledge/embeddings");
        Assert.Equal((held, Limit), (status["chunks"]!.GetValue<long>(), status["chunkLimit"]!.GetValue<long>()));

        // Asked for progress lines, the refusal is the same problem, before any line.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/knowledge/documents") { Content = JsonContent.Create(new { documents = new[] { Doc("b", 60) } }) })
        {
            request.Headers.Accept.ParseAdd("application/x-ndjson");
            var streamed = await admin.Http.SendAsync(request);
            Assert.Equal("knowledge_quota_exceeded", (await ApiClient.ProblemAsync(streamed, HttpStatusCode.Conflict))["code"]!.GetValue<string>());
        }

        // A new version of a stored document counts only what it adds; another tenant is not held by this one's limit use.
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, Doc("a", 66))).StatusCode);
        using (var otherAdmin = new ApiClient(platform.BaseUrl!, otherKey))
            Assert.Equal(HttpStatusCode.OK, (await UploadAsync(otherAdmin, Doc("b", 60))).StatusCode);

        // Deleting makes room.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync("/v1/knowledge/documents/a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, Doc("b", 60))).StatusCode);

        // Uploads at the same moment share the room: each fits alone, not together, and the limit holds.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync("/v1/knowledge/documents/b")).StatusCode);
        var racing = await Task.WhenAll(new[] { "c", "d", "e", "f" }.Select(id => UploadAsync(admin, Doc(id, 60))));
        var accepted = racing.Count(r => r.StatusCode == HttpStatusCode.OK);
        foreach (var r in racing.Where(r => r.StatusCode != HttpStatusCode.OK))
            Assert.Equal("knowledge_quota_exceeded", (await ApiClient.ProblemAsync(r, HttpStatusCode.Conflict))["code"]!.GetValue<string>());
        Assert.InRange(accepted, 1, Limit / held);
        Assert.InRange((await admin.GetJsonAsync("/v1/knowledge/embeddings"))["chunks"]!.GetValue<long>(), held, Limit);
    }

    private static Task<HttpResponseMessage> UploadAsync(ApiClient admin, params object[] documents) =>
        admin.Http.PostAsJsonAsync("/v1/knowledge/documents", new { documents });
}
