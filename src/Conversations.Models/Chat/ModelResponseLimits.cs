namespace Conversations.Models.Chat;

/// <summary>
/// Bounds what a model endpoint can make the platform hold. Tenants choose their endpoints, and a broken or hostile one
/// could send one endless event line (a Server-Sent Events parser keeps a line whole until its end, and everything
/// after it, counting its tokens included, grows with its length) or an endless body. A line or a body past its bound
/// fails the call as a broken response, like a dropped connection, and is the endpoint's failure, not the platform's.
/// </summary>
public sealed class ModelResponseLimits(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>The longest line a response may carry: a streamed chunk holds a few tokens, a whole answer fits many times.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>The most a response may carry in all: far past the longest answer an output cap allows, with SSE's overhead.</summary>
    public const long MaxBodyBytes = 64L << 20;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var original = response.Content;
        var bounded = new StreamContent(new BoundedStream(await original.ReadAsStreamAsync(cancellationToken)));
        foreach (var header in original.Headers) bounded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = bounded;
        return response;
    }

    // Counts the bytes since the last line break and in all, as they are read.
    private sealed class BoundedStream(Stream inner) : Stream
    {
        private long _line;
        private long _total;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Checked(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override int Read(Span<byte> buffer) => Checked(buffer[..inner.Read(buffer)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Checked(buffer.Span[..read]);
        }

        private int Checked(ReadOnlySpan<byte> read)
        {
            _total += read.Length;
            var lastBreak = read.LastIndexOfAny((byte)'\n', (byte)'\r');
            _line = lastBreak < 0 ? _line + read.Length : read.Length - lastBreak - 1;
            if (_line > MaxLineBytes)
                throw new HttpIOException(HttpRequestError.InvalidResponse, $"The model endpoint sent a line longer than {MaxLineBytes / (1 << 20)} MiB.");
            if (_total > MaxBodyBytes)
                throw new HttpIOException(HttpRequestError.InvalidResponse, $"The model endpoint sent more than {MaxBodyBytes / (1 << 20)} MiB.");
            return read.Length;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
