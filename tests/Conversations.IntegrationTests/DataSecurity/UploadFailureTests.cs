namespace Conversations.IntegrationTests.DataSecurity;

/// <summary>
/// A streamed upload (Accept: application/x-ndjson) whose embedding endpoint fails after the stream began ends with an
/// error line saying so, not with a cut connection: the lines before it say which documents were stored.
/// </summary>
public sealed class UploadFailureTests(ExternalEmbeddingsFixture fx) : IClassFixture<ExternalEmbeddingsFixture>
{
    private const string EmbeddingModel = "all-MiniLM-L6-v2";

    private static string Document(int n) =>
        string.Join("\n\n", Enumerable.Range(0, 60).Select(i => $"Section {i} of handbook part {n}. " + string.Concat(Enumerable.Repeat($"The rule number {i} applies to every team in part {n}. ", 12))));

    [Fact(DisplayName = "A streamed upload that fails part-way ends with an {\"error\": problem} line (upload_interrupted, retryable), after the lines of what was stored; the documents it reported stored are listed")]
    public async Task Failure_after_the_stream_began_ends_with_an_error_line()
    {
        using var tenant = await fx.NewTenantAsync("dupf");
        var body = new { documents = Enumerable.Range(0, 4).Select(n => new { id = $"part-{n}", title = $"Part {n}", label = "public", content = Document(n) }).ToArray() };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/knowledge/documents") { Content = JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("application/x-ndjson");
        var lines = new List<JsonNode>();
        try
        {
            using var res = await tenant.Admin.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length == 0) continue;
                lines.Add(JsonNode.Parse(line)!);
                // The endpoint goes down once the upload is under way.
                if (lines.Count == 1) fx.Embeddings.Control.FailAlways(EmbeddingModel, 503);
            }
        }
        finally
        {
            fx.Embeddings.Control.ClearFault(EmbeddingModel);
        }
        var last = lines[^1];
        Assert.True(last["error"] is not null, string.Join('\n', lines.Select(l => l.ToJsonString())));
        Assert.Equal("upload_interrupted", last["error"]!["code"]!.GetValue<string>());
        Assert.True(last["error"]!["retryable"]!.GetValue<bool>());
        Assert.Equal(503, last["error"]!["status"]!.GetValue<int>());
        var reported = lines.Select(l => l["document"]).Where(d => d is not null && d["status"]!.GetValue<string>() != "failed")
            .Select(d => d!["documentId"]!.GetValue<string>()).ToList();
        Assert.True(reported.Count < 4, "the failure must stop the upload before its last document");
        var listed = (await tenant.Admin.GetJsonAsync("/v1/knowledge/documents"))["documents"]!.AsArray().Select(d => d!["documentId"]!.GetValue<string>()).ToList();
        Assert.All(reported, id => Assert.Contains(id, listed));
    }
}
