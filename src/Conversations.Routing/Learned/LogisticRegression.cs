namespace Conversations.Routing.Learned;

/// <summary>
/// Multinomial logistic regression with L2 regularization and class weights, fitted by full-batch gradient descent
/// with Adam steps. No randomness: the same data give the same weights.
/// </summary>
internal static class LogisticRegression
{
    /// <summary>Fits weights [class][feature] and biases to standardized rows <paramref name="x"/> with labels <paramref name="y"/> (0..classes−1).</summary>
    public static (double[][] Weights, double[] Bias) Fit(IReadOnlyList<double[]> x, IReadOnlyList<int> y, int classes, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        if (x.Count == 0 || x.Count != y.Count) throw new ArgumentException("Need as many labels as rows, and at least one row.");
        var features = x[0].Length;
        var n = x.Count;
        // Balanced class weights: a rare class (code, math) counts as much in total as a common one.
        var counts = new double[classes];
        foreach (var label in y) counts[label]++;
        var sampleWeight = y.Select(label => n / (classes * Math.Max(1, counts[label])) * (options.ClassWeights?[label] ?? 1)).ToArray();
        var totalWeight = sampleWeight.Sum();

        var w = new double[classes][];
        for (var c = 0; c < classes; c++) w[c] = new double[features];
        var b = new double[classes];
        var (mw, vw) = (Zeros(classes, features), Zeros(classes, features));
        var (mb, vb) = (new double[classes], new double[classes]);
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var gw = Zeros(classes, features);
        var gb = new double[classes];
        var logits = new double[classes];
        // Each row's non-zero features: the n-gram buckets are mostly zero, and a zero adds nothing to a sum.
        var nonZero = x.Select(row => Enumerable.Range(0, features).Where(f => row[f] != 0).ToArray()).ToArray();
        var l2 = Enumerable.Range(0, features).Select(f => Penalty(options, features, f)).ToArray();

        for (var step = 1; step <= options.Iterations; step++)
        {
            for (var c = 0; c < classes; c++)
            {
                Array.Clear(gw[c]);
                gb[c] = 0;
            }
            for (var i = 0; i < n; i++)
            {
                var row = x[i];
                var nz = nonZero[i];
                for (var c = 0; c < classes; c++)
                {
                    var s = b[c];
                    var wc = w[c];
                    foreach (var f in nz) s += wc[f] * row[f];
                    logits[c] = s;
                }
                var p = Softmax(logits);
                for (var c = 0; c < classes; c++)
                {
                    var err = sampleWeight[i] * (p[c] - (y[i] == c ? 1 : 0)) / totalWeight;
                    if (err == 0) continue;
                    var gc = gw[c];
                    foreach (var f in nz) gc[f] += err * row[f];
                    gb[c] += err;
                }
            }
            var correction1 = 1 - Math.Pow(beta1, step);
            var correction2 = 1 - Math.Pow(beta2, step);
            for (var c = 0; c < classes; c++)
            {
                for (var f = 0; f < features; f++)
                {
                    var g = gw[c][f] + l2[f] * w[c][f];
                    mw[c][f] = beta1 * mw[c][f] + (1 - beta1) * g;
                    vw[c][f] = beta2 * vw[c][f] + (1 - beta2) * g * g;
                    w[c][f] -= options.LearningRate * (mw[c][f] / correction1) / (Math.Sqrt(vw[c][f] / correction2) + eps);
                }
                mb[c] = beta1 * mb[c] + (1 - beta1) * gb[c];
                vb[c] = beta2 * vb[c] + (1 - beta2) * gb[c] * gb[c];
                b[c] -= options.LearningRate * (mb[c] / correction1) / (Math.Sqrt(vb[c] / correction2) + eps);
            }
        }
        return (w, b);
    }

    /// <summary>Numerically stable softmax.</summary>
    public static double[] Softmax(double[] logits)
    {
        var max = logits.Max();
        var p = new double[logits.Length];
        var sum = 0.0;
        for (var c = 0; c < p.Length; c++) sum += p[c] = Math.Exp(logits[c] - max);
        for (var c = 0; c < p.Length; c++) p[c] /= sum;
        return p;
    }

    // Layout: embedding, then SignalFeatures named signals, then NgramFeatures hashed buckets; each block its own L2.
    private static double Penalty(FitOptions options, int features, int f) =>
        f >= features - options.NgramFeatures ? options.NgramL2 ?? options.L2
        : f >= features - options.NgramFeatures - options.SignalFeatures ? options.SignalL2 ?? options.L2
        : options.L2;

    private static double[][] Zeros(int rows, int columns)
    {
        var a = new double[rows][];
        for (var r = 0; r < rows; r++) a[r] = new double[columns];
        return a;
    }
}

/// <summary>
/// Fitting settings: L2 strength, Adam step size and number of full-batch steps. A row is the embedding, then
/// <see cref="SignalFeatures"/> named signals (few and each meaningful: their own, usually weaker, L2 strength), then
/// <see cref="NgramFeatures"/> hashed n-gram buckets (many and sparse: their own L2 strength too).
/// </summary>
internal sealed record FitOptions(double L2 = 0.2, double LearningRate = 0.05, int Iterations = 300)
{
    /// <summary>How many features after the embedding are named signals.</summary>
    public int SignalFeatures { get; init; }

    /// <summary>How many features at the end of a row are n-gram buckets.</summary>
    public int NgramFeatures { get; init; }

    /// <summary>L2 strength of the n-gram weights; null uses <see cref="L2"/>.</summary>
    public double? NgramL2 { get; init; }

    /// <summary>L2 strength of the signal weights; null uses <see cref="L2"/>.</summary>
    public double? SignalL2 { get; init; }

    /// <summary>Multipliers of the balanced class weights, one per class; null leaves them balanced.</summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }
}
