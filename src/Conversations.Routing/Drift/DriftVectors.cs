namespace Conversations.Routing.Drift;

/// <summary>
/// Question embeddings as the drift sketch keeps them: one byte per dimension (value·127 offset by 128), so a window's
/// reservoir of a few hundred vectors stays a few tens of kilobytes of grain state. Cosine similarity survives the
/// rounding to about two decimals, which is far finer than the shifts the sketch looks for.
/// </summary>
public static class DriftVectors
{
    /// <summary>A unit-length copy of <paramref name="vector"/> packed into bytes.</summary>
    public static byte[] Pack(ReadOnlySpan<float> vector)
    {
        var norm = Math.Sqrt(Dot(vector, vector));
        var packed = new byte[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            var x = norm > 0 ? vector[i] / norm : 0;
            packed[i] = (byte)(Math.Clamp((int)Math.Round(x * 127), -127, 127) + 128);
        }
        return packed;
    }

    /// <summary>The floats a packed vector stands for.</summary>
    public static float[] Unpack(ReadOnlySpan<byte> packed)
    {
        var vector = new float[packed.Length];
        for (var i = 0; i < packed.Length; i++) vector[i] = (packed[i] - 128) / 127f;
        return vector;
    }

    /// <summary>The dot product.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var norms = Math.Sqrt(Dot(a, a) * Dot(b, b));
        return norms > 0 ? Dot(a, b) / norms : 0;
    }

    /// <summary>The mean of <paramref name="vectors"/> (not normalized); empty when there are none.</summary>
    public static float[] Mean(IReadOnlyList<float[]> vectors)
    {
        if (vectors.Count == 0) return [];
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
            for (var i = 0; i < mean.Length; i++) mean[i] += v[i];
        for (var i = 0; i < mean.Length; i++) mean[i] /= vectors.Count;
        return mean;
    }

    /// <summary>Mean cosine distance of <paramref name="vectors"/> to <paramref name="centroid"/>: how spread out the questions are.</summary>
    public static double Spread(IReadOnlyList<float[]> vectors, float[] centroid) =>
        vectors.Count == 0 ? 0 : vectors.Average(v => 1 - Cosine(v, centroid));
}
