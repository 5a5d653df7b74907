using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Conversations.Models.Embeddings;

/// <summary>
/// Dynamic int8 quantization of an ONNX model's weight matrix products, done in memory: every <c>MatMul(A, W)</c>
/// whose <c>W</c> is a 2-D fp32 initializer becomes ONNX Runtime's <c>com.microsoft::DynamicQuantizeMatMul(A,
/// W_int8, W_scale)</c>, with a symmetric scale per output column; a constant bias <c>Add</c> right after it moves into
/// the operator's bias input (one pass over the output fewer). Everything else stays fp32. At run time ONNX Runtime
/// quantizes <c>A</c> per call to uint8 and multiplies u8 × s8 (VNNI on cores that have it).
/// </summary>
internal static class MatMulQuantizer
{
    /// <summary>The operator set of ONNX Runtime's contrib operators.</summary>
    internal const string ContribDomain = "com.microsoft";
    /// <summary>The operator that replaces each weight MatMul.</summary>
    internal const string QuantizedOp = "DynamicQuantizeMatMul";

    /// <summary>The quantized model's bytes from the fp32 model's.</summary>
    public static byte[] Quantize(byte[] fp32Model)
    {
        var model = ModelProto.Parser.ParseFrom(fp32Model);
        var graph = model.Graph;
        var weights = graph.Initializer.Where(IsFloatMatrix).ToDictionary(t => t.Name);
        var vectors = graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 1).ToDictionary(t => t.Name, t => t.Dims[0]);
        var readers = graph.Node.SelectMany(n => n.Input.Select(input => (input, n))).ToLookup(p => p.input, p => p.n);
        var replaced = new HashSet<string>();
        var folded = new HashSet<NodeProto>();
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "MatMul" || node.Domain is not ("" or "ai.onnx") || node.Input.Count != 2
                || !weights.TryGetValue(node.Input[1], out var weight))
                continue;
            var (quantized, scale) = QuantizePerColumn(weight);
            if (replaced.Add(weight.Name)) graph.Initializer.Add(new[] { quantized, scale });
            var q = new NodeProto { Name = node.Name + "_int8", OpType = QuantizedOp, Domain = ContribDomain };
            q.Input.Add(new[] { node.Input[0], quantized.Name, scale.Name });
            q.Output.Add(node.Output);
            // MatMul → Add(bias of one value per column) and nothing else reads the product: the bias goes in.
            if (readers[node.Output[0]].ToList() is [{ OpType: "Add", Input.Count: 2 } add] && !graph.Output.Any(o => o.Name == node.Output[0])
                && add.Input.FirstOrDefault(input => input != node.Output[0]) is { } bias && vectors.GetValueOrDefault(bias) == weight.Dims[1])
            {
                q.Input.Add(new[] { "", bias }); // no zero point (symmetric), then the bias
                q.Output[0] = add.Output[0];
                folded.Add(add);
            }
            graph.Node[i] = q;
        }
        foreach (var add in folded) graph.Node.Remove(add);
        // A weight some other node still reads keeps its fp32 copy.
        var stillRead = graph.Node.SelectMany(n => n.Input).ToHashSet();
        foreach (var name in replaced.Where(n => !stillRead.Contains(n)))
        {
            graph.Initializer.Remove(weights[name]);
            if (graph.Input.FirstOrDefault(v => v.Name == name) is { } input) graph.Input.Remove(input);
        }
        if (!model.OpsetImport.Any(o => o.Domain == ContribDomain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = ContribDomain, Version = 1 });
        return model.ToByteArray();
    }

    /// <summary>The fp32 MatMul nodes of a model whose second input is a constant (none are left after <see cref="Quantize"/>).</summary>
    public static IReadOnlyList<string> FloatWeightMatMuls(byte[] model)
    {
        var graph = ModelProto.Parser.ParseFrom(model).Graph;
        var constants = graph.Initializer.Where(IsFloatMatrix).Select(t => t.Name).ToHashSet();
        return [.. graph.Node.Where(n => n.OpType == "MatMul" && n.Input.Count == 2 && constants.Contains(n.Input[1])).Select(n => n.Name)];
    }

    private static bool IsFloatMatrix(TensorProto t) => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 2;

    // Symmetric: zero point 0, scale = max |w| of the column / 127, so the column's largest weight maps to ±127.
    private static (TensorProto Quantized, TensorProto Scale) QuantizePerColumn(TensorProto weight)
    {
        var rows = checked((int)weight.Dims[0]);
        var columns = checked((int)weight.Dims[1]);
        var w = weight.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray() : [.. weight.FloatData];
        var scales = new float[columns];
        for (var k = 0; k < rows; k++)
            for (var n = 0; n < columns; n++)
                scales[n] = MathF.Max(scales[n], MathF.Abs(w[k * columns + n]));
        for (var n = 0; n < columns; n++) scales[n] = scales[n] > 0 ? scales[n] / 127f : 1f;
        var q = new sbyte[w.Length];
        for (var k = 0; k < rows; k++)
            for (var n = 0; n < columns; n++)
                q[k * columns + n] = (sbyte)Math.Clamp(MathF.Round(w[k * columns + n] / scales[n]), -127f, 127f);

        var quantized = new TensorProto
        {
            Name = weight.Name + "_int8", DataType = (int)TensorProto.Types.DataType.Int8,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan())),
        };
        quantized.Dims.Add(new long[] { rows, columns });
        var scale = new TensorProto
        {
            Name = weight.Name + "_scale", DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(scales.AsSpan())),
        };
        scale.Dims.Add(columns);
        return (quantized, scale);
    }
}
