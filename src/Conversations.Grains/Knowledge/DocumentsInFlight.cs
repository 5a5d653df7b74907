namespace Conversations.Grains.Knowledge;

/// <summary>
/// The document ids the tenant's running uploads have not finished with, held by the tenant's knowledge grain (one
/// activation): a delete of one of them is refused rather than answered from the table the upload has not written yet.
/// </summary>
internal sealed class DocumentsInFlight
{
    private readonly Lock _lock = new();
    // An id in two running uploads at once is held until both are done with it.
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);

    /// <summary>Holds the ids of an upload; the returned handle lets each go when its document is done, the rest when disposed.</summary>
    public Upload Hold(IEnumerable<string> documentIds)
    {
        var ids = documentIds.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
            foreach (var id in ids) _held[id] = _held.GetValueOrDefault(id) + 1;
        return new Upload(this, ids);
    }

    /// <summary>Whether a running upload has yet to finish with <paramref name="documentId"/>.</summary>
    public bool Contains(string documentId)
    {
        lock (_lock) return _held.ContainsKey(documentId);
    }

    private void Release(string documentId)
    {
        lock (_lock)
        {
            if (!_held.TryGetValue(documentId, out var count)) return;
            if (count <= 1) _held.Remove(documentId);
            else _held[documentId] = count - 1;
        }
    }

    /// <summary>One upload's held ids.</summary>
    public sealed class Upload(DocumentsInFlight owner, HashSet<string> ids) : IDisposable
    {
        /// <summary>The upload is done with <paramref name="documentId"/> (stored, unchanged or failed).</summary>
        public void Done(string documentId)
        {
            if (ids.Remove(documentId)) owner.Release(documentId);
        }

        /// <summary>Lets every id still held go (the upload ended, finished or not).</summary>
        public void Dispose()
        {
            foreach (var id in ids) owner.Release(id);
            ids.Clear();
        }
    }
}
