using Conversations.Storage.Knowledge;

namespace Conversations.Knowledge.Tests.Postgres;

public sealed class RetrievalTests(KnowledgeCluster app) : PostgresTests
{
    private IKnowledgeRetriever Retriever => app.Services.GetRequiredService<IKnowledgeRetriever>();

    private async Task<(string Tenant, ITenantAclGrain Acl)> CompanyAsync()
    {
        var tenant = TestIds.Tenant("ret");
        await app.CreateTenantAsync(tenant);
        var acl = app.Grains.GetGrain<ITenantAclGrain>(tenant);
        await acl.PutRoleAsync(new RoleDefinition("staff", [], ["handbook", "compensation/staff"]));
        await acl.PutRoleAsync(new RoleDefinition("manager", ["staff"], ["compensation/manager"]));
        await acl.SetUserRolesAsync("alice", ["staff"]);
        await acl.SetUserRolesAsync("bob", ["manager"]);
        await IngestAsync(tenant,
            new DocumentUpload("handbook", "Handbook", "handbook", "Annual leave is 25 days. Expenses are paid within 30 days."),
            new DocumentUpload("plan-staff", "Staff compensation plan", "compensation/staff", "The staff annual bonus is up to 10% of base salary."),
            new DocumentUpload("plan-manager", "Manager compensation plan", "compensation/manager", "The manager annual bonus is up to 20% of base salary, with stock options."));
        return (tenant, acl);
    }

    private async Task<List<DocumentIngestResult>> IngestAsync(string tenant, params DocumentUpload[] docs)
    {
        var results = new List<DocumentIngestResult>();
        await foreach (var p in app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant).IngestAsync(docs))
            if (p.Document is not null) results.Add(p.Document);
        return results;
    }

    [Fact]
    public async Task Staff_never_get_the_manager_plan_and_managers_do()
    {
        var (tenant, _) = await CompanyAsync();
        var alice = await Retriever.RetrieveAsync(tenant, "alice", "What is the manager compensation plan bonus?", 10);
        var bob = await Retriever.RetrieveAsync(tenant, "bob", "What is the manager compensation plan bonus?", 10);
        Assert.DoesNotContain(alice.Chunks, c => c.DocumentId == "plan-manager");
        Assert.Equal(["handbook", "plan-staff"], alice.Chunks.Select(c => c.DocumentId).Order());
        Assert.Equal("plan-manager", bob.Chunks[0].DocumentId);
        Assert.Equal("compensation/manager", bob.Chunks[0].Label);
        Assert.Equal("exact-scan", bob.Plan);
    }

    [Fact]
    public async Task A_revoke_is_visible_on_the_next_retrieval()
    {
        var (tenant, acl) = await CompanyAsync();
        var before = await Retriever.RetrieveAsync(tenant, "bob", "manager bonus", 10);
        Assert.Contains(before.Chunks, c => c.DocumentId == "plan-manager");
        var version = await acl.RevokeAsync("manager", "compensation/manager");
        var after = await Retriever.RetrieveAsync(tenant, "bob", "manager bonus", 10);
        Assert.DoesNotContain(after.Chunks, c => c.DocumentId == "plan-manager");
        Assert.Equal(version, after.AclVersion);
        Assert.True(after.AclVersion > before.AclVersion);
    }

    [Fact]
    public async Task A_user_without_roles_gets_nothing()
    {
        var (tenant, _) = await CompanyAsync();
        var r = await Retriever.RetrieveAsync(tenant, "mallory", "bonus", 10);
        Assert.Empty(r.Chunks);
        Assert.Equal("empty", r.Plan);
    }

    [Theory]
    [InlineData("codes", "Codes", "The badge reader model is QX-7731. The coffee machine is on floor two.", "QX-7731")] // the full-text half
    [InlineData("zh", "年假", "员工每年享有二十五天带薪年假。报销在三十天内支付。", "带薪年假有几天")] // Chinese bigrams
    public async Task Exact_terms_and_chinese_text_rank_their_document_first(string id, string title, string text, string query)
    {
        // Proves an exact code is found by the full-text half and Chinese text through its bigrams.
        var (tenant, _) = await CompanyAsync();
        await IngestAsync(tenant, new DocumentUpload(id, title, "handbook", text));
        var r = await Retriever.RetrieveAsync(tenant, "alice", query, 1);
        Assert.Equal(id, r.Chunks[0].DocumentId);
    }

    [Fact]
    public async Task Unchanged_reupload_is_a_no_op_a_label_change_relabels_and_delete_removes_chunks()
    {
        var (tenant, _) = await CompanyAsync();
        var again = await IngestAsync(tenant, new DocumentUpload("plan-staff", "Staff compensation plan", "compensation/staff",
            "The staff annual bonus is up to 10% of base salary."));
        Assert.Equal(IngestStatus.Unchanged, again.Single().Status);

        var moved = await IngestAsync(tenant, new DocumentUpload("plan-staff", "Staff compensation plan", "compensation/manager",
            "The staff annual bonus is up to 10% of base salary."));
        Assert.Equal(IngestStatus.Relabeled, moved.Single().Status);
        Assert.DoesNotContain((await Retriever.RetrieveAsync(tenant, "alice", "staff bonus", 10)).Chunks, c => c.DocumentId == "plan-staff");

        var changed = await IngestAsync(tenant, new DocumentUpload("handbook", "Handbook", "handbook", "Annual leave is 30 days now."));
        Assert.Equal(IngestStatus.Updated, changed.Single().Status);

        Assert.True(await app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant).DeleteAsync("plan-manager"));
        var store = app.Services.GetRequiredService<KnowledgeStore>();
        Assert.Null(await store.GetDocumentAsync(tenant, "plan-manager"));
        Assert.DoesNotContain((await Retriever.RetrieveAsync(tenant, "bob", "manager bonus stock options", 10)).Chunks, c => c.DocumentId == "plan-manager");
        var counts = await store.CountChunksByLabelAsync(tenant);
        Assert.Equal(2, counts.Values.Sum());
    }

    [Fact(DisplayName = "One upload decides each document against what is stored: unchanged, relabeled, updated and new side by side, labels shared")]
    public async Task One_upload_decides_each_document_against_the_stored_ones()
    {
        var (tenant, _) = await CompanyAsync();
        var results = await IngestAsync(tenant,
            new DocumentUpload("plan-staff", "Staff compensation plan", "compensation/staff", "The staff annual bonus is up to 10% of base salary."),
            new DocumentUpload("plan-manager", "Manager compensation plan", "handbook", "The manager annual bonus is up to 20% of base salary, with stock options."),
            new DocumentUpload("handbook", "Handbook", "handbook", "Annual leave is 30 days now."),
            new DocumentUpload("canteen", "Canteen", "handbook", "The canteen opens at noon."));

        Assert.Equal(
            [("plan-staff", IngestStatus.Unchanged), ("plan-manager", IngestStatus.Relabeled), ("handbook", IngestStatus.Updated), ("canteen", IngestStatus.Created)],
            results.OrderBy(r => r.DocumentId switch { "plan-staff" => 0, "plan-manager" => 1, "handbook" => 2, _ => 3 }).Select(r => (r.DocumentId, r.Status)));
        Assert.Equal("compensation/manager", results.Single(r => r.DocumentId == "plan-manager").PreviousLabel);
        var store = app.Services.GetRequiredService<KnowledgeStore>();
        var stored = await store.GetDocumentsAsync(tenant, ["plan-manager", "canteen", "handbook", "missing"]);
        Assert.Equal(["canteen", "handbook", "plan-manager"], stored.Keys.Order());
        Assert.Single(stored.Values.Select(d => d.LabelId).Distinct());
    }

    [Fact]
    public async Task Each_mode_runs_the_plan_it_names()
    {
        var (tenant, acl) = await CompanyAsync();
        var access = await acl.GetUserAccessAsync("bob");
        var store = app.Services.GetRequiredService<KnowledgeStore>();
        var q = new KnowledgeQuery(tenant, new float[store.Dimensions], access.LabelIds, 10, VectorSearchMode.HnswIterative, 80);
        var hnsw = await store.ExplainVectorAsync(q);
        var exact = await store.ExplainVectorAsync(q with { Mode = VectorSearchMode.Exact });
        Assert.True(hnsw.Contains("_hnsw", StringComparison.Ordinal) || hnsw.Contains("embedding_idx", StringComparison.Ordinal), hnsw);
        Assert.DoesNotContain("hnsw", exact);
    }

    [Fact]
    public async Task Malformed_documents_fail_alone_and_duplicate_ids_are_rejected()
    {
        var (tenant, _) = await CompanyAsync();
        var results = await IngestAsync(tenant,
            new DocumentUpload("bad id!", "x", "handbook", "text"),
            new DocumentUpload("ok", "OK", "handbook", "Fine text."),
            new DocumentUpload("empty", "Empty", "handbook", "   "));
        Assert.Equal([IngestStatus.Failed, IngestStatus.Failed, IngestStatus.Created], results.OrderBy(r => r.DocumentId).Select(r => r.Status));
        await Assert.ThrowsAsync<ArgumentException>(() => IngestAsync(tenant,
            new DocumentUpload("dup", "a", "handbook", "a"), new DocumentUpload("dup", "b", "handbook", "b")));
    }

    [Fact]
    public async Task Progress_counts_every_chunk_and_reports_each_document_after_its_chunks()
    {
        var (tenant, _) = await CompanyAsync();
        // Six documents of ~12 chunks each: several embedding batches, and batches that span documents.
        var docs = Enumerable.Range(0, 6).Select(d => new DocumentUpload($"long-{d}", $"Long {d}", "handbook",
            string.Join("\n\n", Enumerable.Range(0, 12).Select(p =>
                $"Section {d}.{p}. " + string.Join(" ", Enumerable.Repeat($"Rule {p} of document {d} applies to every office and team.", 14)))))).ToArray();
        var progress = new List<IngestionProgress>();
        await foreach (var p in app.Grains.GetGrain<IKnowledgeBaseGrain>(tenant).IngestAsync(docs)) progress.Add(p);

        var total = progress[^1].ChunksTotal;
        Assert.True(total > 64, $"only {total} chunks");
        Assert.Equal(total, progress[^1].ChunksEmbedded);
        Assert.Equal(6, progress[^1].DocumentsDone);
        for (var i = 1; i < progress.Count; i++)
        {
            Assert.True(progress[i].ChunksEmbedded >= progress[i - 1].ChunksEmbedded);
            Assert.True(progress[i].DocumentsDone >= progress[i - 1].DocumentsDone);
        }
        // A document is reported only once all chunks up to and including its own are embedded.
        var stored = 0;
        foreach (var p in progress.Where(p => p.Document is not null))
        {
            Assert.Equal(IngestStatus.Created, p.Document!.Status);
            stored += p.Document.ChunkCount;
            Assert.True(p.ChunksEmbedded >= stored, $"{p.Document.DocumentId} reported at {p.ChunksEmbedded} embedded, {stored} stored");
        }
        Assert.Equal(total, stored);
        // Model calls shrink towards the end: the last one leaves few documents to write while the model has no work.
        var embeddedSteps = progress.Where(p => p.Document is null).Select(p => p.ChunksEmbedded).ToList();
        var batches = embeddedSteps.Zip(embeddedSteps.Prepend(0), (after, before) => after - before).ToList();
        Assert.True(batches.Count >= 3, $"batches {string.Join(", ", batches)}");
        Assert.Equal(batches.OrderByDescending(b => b), batches);
        Assert.InRange(batches[^1], 1, 16);
        var counts = await app.Services.GetRequiredService<KnowledgeStore>().CountChunksByLabelAsync(tenant);
        Assert.Equal(total + 3, counts.Values.Sum()); // plus the company's three one-chunk documents
    }
}
