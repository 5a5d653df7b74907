using Conversations.Storage.Encryption;
using Npgsql;

namespace Conversations.Storage.DataRights;

/// <summary>
/// An export archive stored in sealed parts, read as one seekable stream: a read fetches and opens the part it falls in
/// (one query a part, the last one kept), so a download holds one part in memory and a ranged request (a resumed
/// download) starts at its part without reading the ones before.
/// </summary>
internal sealed class ArchivePartsStream(NpgsqlDataSource db, TenantDataKey key, string exportId, long length, int partBytes) : Stream
{
    private int _partIndex = -1;
    private byte[] _part = [];
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => true;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0) return 0;
        var index = (int)(_position / partBytes);
        if (index != _partIndex)
        {
            await using var cmd = db.CreateCommand("SELECT data FROM data_export_parts WHERE export_id = @id AND part = @p");
            cmd.Parameters.AddWithValue("id", exportId);
            cmd.Parameters.AddWithValue("p", index);
            var stored = await cmd.ExecuteScalarAsync(cancellationToken) as byte[]
                ?? throw new InvalidOperationException($"Part {index} of export {exportId} is missing.");
            _part = key.OpenBytes(stored, "data_export_parts", $"{exportId}/{index}");
            _partIndex = index;
        }
        var offset = (int)(_position - (long)index * partBytes);
        var count = Math.Min(buffer.Length, _part.Length - offset);
        if (count <= 0) return 0; // a part shorter than the recorded length: the stream ends here
        _part.AsMemory(offset, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => length + offset,
    };

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
