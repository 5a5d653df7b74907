using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Conversations.Api.Streaming;

/// <summary>
/// Flushes a streamed response when its events stop coming, not after each one: what arrived together (a batch from the
/// grain) leaves in one write, and an event that arrives alone, the first token included, is flushed at once, since
/// the stream then waits for the next. Nothing is held for a timer.
/// </summary>
internal static class IdleFlush
{
    /// <summary>
    /// Passes on <paramref name="source"/>; before waiting for an item that is not there yet, and at its end, flushes
    /// <paramref name="body"/>, where the consumer wrote the items before (unflushed).
    /// </summary>
    public static async IAsyncEnumerable<T> FlushWhenIdle<T>(this IAsyncEnumerable<T> source, PipeWriter body,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var e = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var next = e.MoveNextAsync();
            if (!next.IsCompleted) await body.FlushAsync(cancellationToken);
            if (!await next) break;
            yield return e.Current;
        }
        await body.FlushAsync(cancellationToken);
    }
}

/// <summary>A write-only stream into a response's pipe that leaves flushing to <see cref="IdleFlush"/>.</summary>
internal sealed class UnflushedBodyStream(PipeWriter body) : Stream
{
    /// <inheritdoc />
    public override bool CanRead => false;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => true;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => body.Write(buffer.AsSpan(offset, count));
    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => body.Write(buffer);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        body.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        body.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override void Flush() { /* IdleFlush flushes */ }
    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
