namespace Conversations.Benchmarks.Knowledge;

/// <summary>
/// Unit vectors grouped around random cluster centres, the shape real embeddings have (uniform random vectors are
/// HNSW's worst case and say little about production recall).
/// </summary>
internal sealed class ClusteredVectors(int dimensions, int clusters, double spread, int seed)
{
    private readonly Random _rng = new(seed);
    private float[][]? _centres;

    /// <summary>A vector near a random centre.</summary>
    public float[] Next()
    {
        _centres ??= Enumerable.Range(0, clusters).Select(_ => Normalize(Gaussian(1.0))).ToArray();
        var c = _centres[_rng.Next(clusters)];
        var noise = Gaussian(spread / Math.Sqrt(dimensions));
        for (var i = 0; i < dimensions; i++) noise[i] += c[i];
        return Normalize(noise);
    }

    private float[] Gaussian(double sigma)
    {
        var v = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller.
            var u1 = 1.0 - _rng.NextDouble();
            var u2 = _rng.NextDouble();
            v[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    private static float[] Normalize(float[] v)
    {
        var n = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        for (var i = 0; i < v.Length; i++) v[i] /= n;
        return v;
    }
}
