using System.Security.Cryptography;
using System.Text;
using Conversations.Models.Embeddings;
using Conversations.Storage.Encryption;
using Conversations.Storage.Knowledge;

namespace Conversations.Knowledge.Tests.Postgres;

/// <summary>
/// Documents embedded by another model than the configured one (written by a store of that model, as a platform
/// configured for it did): the vector half of retrieval never reads their vectors, the full-text half still finds their
/// text, and re-embedding through the tenant's grain converts them batch by batch, resuming from the rows after a stop.
/// </summary>
public sealed class ReembeddingTests(KnowledgeCluster app) : PostgresTests
{
    private const string Question = "How many days of annual leave do we get?";

    // Two chunks each; every chunk has a word of the question ("annual", "leave" or "days"), so the full-text half finds them all.
    private static readonly (string Id, string[] Chunks)[] Documents =
    [
        ("a-leave", ["Annual leave is 25 days a year for everyone.", "Unused annual leave days carry over to March."]),
        ("b-travel", ["Travel on annual leave days is not paid.", "Book travel days in the portal."]),
        ("c-badge", ["Badges are renewed every year, on days of annual review.", "Lost badges cost 10 days of waiting."]),
    ];

    private IKnowledgeRetriever Retriever => app.Services.GetRequiredService<IKnowledgeRetriever>();
    private KnowledgeStore Current => app.Services.GetRequiredService<KnowledgeStore>();

    private async Task<(string Tenant, short Label)> TenantAsync(string prefix)
    {
        var tenant = TestIds.Tenant(prefix);
        await app.CreateTenantAsync(tenant);
        var acl = app.Grains.GetGrain<ITenantAclGrain>(tenant);
        await acl.PutRoleAsync(new RoleDefinition("staff", [], ["handbook"]));
        await acl.SetUserRolesAsync("alice", ["staff"]);
        return (tenant, await Current.EnsureLabelAsync(tenant, "handbook"));
    }

    // Writes the documents as a platform configured for another model did, every chunk with the vector given.
    private async Task WriteEarlierAsync(string tenant, short label, string model, float[] vector)
    {
        var earlier = new KnowledgeStore(app.Database.DataSource, app.Services.GetRequiredService<TenantKeyRing>(), vector.Length, model);
        await earlier.EnsureSchemaAsync();
        foreach (var (id, chunks) in Documents)
        {
            var text = string.Join("\n\n", chunks);
            await earlier.ReplaceDocumentAsync(tenant, new StoredDocument(id, id, label, SHA256.HashData(Encoding.UTF8.GetBytes(text)), model, text.Length),
                chunks.Select((c, i) => new StoredChunk(i, c, "", vector)).ToList());
        }
    }

    private async Task<IReadOnlyList<DocumentInfo>> DocumentsAsync(string tenant) =>
        await app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant).ListAsync(null, 10);

    private async Task<long> RowsAsync(string table, string tenant)
    {
        await using var cmd = app.Database.DataSource.CreateCommand($"SELECT count(*) FROM {table} WHERE tenant_id = @t");
        cmd.Parameters.AddWithValue("t", tenant);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Another_models_vectors_of_the_same_length_are_never_compared_and_are_re_embedded_resuming_after_a_stop()
    {
        var (tenant, label) = await TenantAsync("reemb");
        // The earlier model's vectors all equal the question's vector in the configured model: compared, they would be
        // the nearest rows there are.
        var questionVector = (await app.Services.GetRequiredService<EmbeddingModel>().EmbedAsync([Question]))[0];
        await WriteEarlierAsync(tenant, label, "earlier-model", questionVector);

        // The vector half reads no row of the earlier model, in either plan; the full-text half still finds the text.
        foreach (var mode in new[] { VectorSearchMode.Exact, VectorSearchMode.HnswIterative })
        {
            var hits = await Current.SearchAsync(new KnowledgeQuery(tenant, questionVector, [label], 10, mode, 100, TsQuery: "'annual' | 'leave' | 'days'"));
            Assert.Empty(hits.Vector);
            Assert.Equal(6, hits.Lexical.Count);
            Assert.Contains("embedding_model", await Current.ExplainVectorAsync(new KnowledgeQuery(tenant, questionVector, [label], 10, mode, 100)));
        }
        var before = await Retriever.RetrieveAsync(tenant, "alice", Question, 6);
        Assert.NotEmpty(before.Chunks);
        Assert.All(before.Chunks, c => Assert.Null(c.Similarity));
        var counts = await Current.CountChunksAsync(tenant);
        Assert.Equal((0L, 6L), (counts.CurrentByLabel.GetValueOrDefault(label), counts.TableChunks));

        // Progress an admin sees: every document stale, the tenant's backlog.
        var grain = app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant);
        Assert.All(await DocumentsAsync(tenant), d => Assert.Equal(("earlier-model", 2), (d.EmbeddingModel, d.StaleChunks)));
        // Stale chunks still count against the tenant's limit: they are stored.
        Assert.Equal(new EmbeddingStatus(Current.EmbeddingModel, 384, 3, 6, false) { Chunks = 6, ChunkLimit = 1_000_000 }, await grain.GetEmbeddingStatusAsync());

        // One batch of three chunks is written: the first document is finished, the second is half done.
        var model = app.Services.GetRequiredService<EmbeddingModel>();
        var first = await Current.ReadStaleAsync(tenant, 3);
        Assert.Equal(1, await Current.WriteReembeddedAsync(tenant, first, await model.EmbedAsync(first.Chunks.Select(c => c.Text).ToList())));
        Assert.Equal([(Current.EmbeddingModel, 0), ("earlier-model", 1), ("earlier-model", 2)],
            (await DocumentsAsync(tenant)).Select(d => (d.EmbeddingModel, d.StaleChunks)));
        // A silo stops after reading the next batch, before writing it: nothing of it is kept, nothing is lost.
        Assert.Equal(3, (await Current.ReadStaleAsync(tenant, 3)).Chunks.Count);

        // Any silo goes on from the rows, through the tenant's grain, until nothing is left.
        var batches = 0;
        while (await grain.ReembedBatchAsync() > 0) batches++;
        Assert.InRange(batches, 1, 3);
        Assert.All(await DocumentsAsync(tenant), d => Assert.Equal((Current.EmbeddingModel, 0), (d.EmbeddingModel, d.StaleChunks)));
        Assert.Equal(new EmbeddingStatus(Current.EmbeddingModel, 384, 0, 0, false) { Chunks = 6, ChunkLimit = 1_000_000 }, await grain.GetEmbeddingStatusAsync());

        var after = await Retriever.RetrieveAsync(tenant, "alice", Question, 6);
        Assert.Contains(after.Chunks, c => c.Similarity is not null);
        Assert.Equal("a-leave", after.Chunks[0].DocumentId);
    }

    [Fact]
    public async Task Chunks_of_another_dimension_count_for_full_text_only_and_move_to_the_configured_table_when_re_embedded()
    {
        var (tenant, label) = await TenantAsync("reembdim");
        await WriteEarlierAsync(tenant, label, "tiny-model", [1, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal([8], (await Current.CountChunksAsync(tenant)).OtherDimensions);

        // Retrieval keeps answering from the text while the vectors are another length; citations still open.
        var before = await Retriever.RetrieveAsync(tenant, "alice", Question, 6);
        Assert.NotEmpty(before.Chunks);
        Assert.All(before.Chunks, c => Assert.Null(c.Similarity));
        Assert.NotNull(await Retriever.ReadPassageAsync(tenant, "alice", "b-travel", 1));
        Assert.All(await DocumentsAsync(tenant), d => Assert.Equal(2, d.StaleChunks));

        var grain = app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant);
        while (await grain.ReembedBatchAsync() > 0) { }
        Assert.Equal((0L, 6L), (await RowsAsync("kb_chunks_8", tenant), await RowsAsync("kb_chunks_384", tenant)));
        Assert.Empty((await Current.CountChunksAsync(tenant)).OtherDimensions);
        Assert.All(await DocumentsAsync(tenant), d => Assert.Equal((Current.EmbeddingModel, 0), (d.EmbeddingModel, d.StaleChunks)));
        var after = await Retriever.RetrieveAsync(tenant, "alice", Question, 6);
        Assert.All(after.Chunks, c => Assert.NotNull(c.Similarity));
        Assert.Equal("Book travel days in the portal.", (await Retriever.ReadPassageAsync(tenant, "alice", "b-travel", 1))!.Text);
    }
}
