using Conversations.Api.Streaming;
using Conversations.Contracts.Chat;

namespace Conversations.Api.OpenAi;

/// <summary>
/// A turn's event stream, read up to its first decisive event (text, done or error) before the response starts, so a
/// turn that fails at once is an HTTP error rather than a 200 stream; citations seen on the way are kept. A streamed
/// completion's source also carries <see cref="Beat"/>s: the first one ends the wait, so a slow model's first token
/// starts the response (status 200 and keep-alive comments) instead of leaving the connection silent.
/// </summary>
internal sealed class CompletionEvents : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChatEvent> _events;
    private ChatEvent? _pending;

    private CompletionEvents(IAsyncEnumerator<ChatEvent> events) => _events = events;

    /// <summary>What a source passes on after a while without events (see <see cref="Heartbeats"/>).</summary>
    public static readonly ProgressEvent Beat = TurnEventStream.StillWorking;

    /// <summary>The first delta, done or error event seen so far; null before one arrived or when the stream ended without one.</summary>
    public ChatEvent? First { get; private set; }

    /// <summary>Sources seen so far and not yet handed on.</summary>
    public List<CitationEvent> Citations { get; } = [];

    /// <summary>True when the turn ended with a moderation refusal of the question (OpenAI's <c>content_filter</c>).</summary>
    public bool Refused => First is ErrorEvent { Code: TurnErrorCodes.InputRefused };

    /// <summary>Starts reading <paramref name="events"/> and waits for the first decisive event or <see cref="Beat"/>.</summary>
    public static async Task<CompletionEvents> StartAsync(IAsyncEnumerable<ChatEvent> events, CancellationToken ct)
    {
        var turn = new CompletionEvents(events.GetAsyncEnumerator(ct));
        while (await turn._events.MoveNextAsync())
        {
            switch (turn._events.Current)
            {
                case CitationEvent c: turn.Citations.Add(c); break;
                case var beat when ReferenceEquals(beat, Beat):
                    turn._pending = beat;
                    return turn;
                case DeltaEvent or DoneEvent or ErrorEvent:
                    turn.First = turn._pending = turn._events.Current;
                    return turn;
            }
        }
        return turn;
    }

    /// <summary>The first decisive event, then the rest of the stream (the turn's progress events left out, beats kept, citations collected).</summary>
    public async IAsyncEnumerable<ChatEvent> RestAsync()
    {
        if (_pending is { } first)
        {
            _pending = null;
            yield return first;
        }
        while (await _events.MoveNextAsync())
        {
            var e = _events.Current;
            if (e is CitationEvent c) Citations.Add(c);
            else if (ReferenceEquals(e, Beat)) yield return e;
            else if (e is not ProgressEvent)
            {
                First ??= e;
                yield return e;
            }
        }
    }

    /// <summary>Hands over the sources collected so far (null when none), and forgets them.</summary>
    public IReadOnlyList<CompletionCitation>? TakeCitations()
    {
        if (Citations.Count == 0) return null;
        var list = Citations.Select(c => new CompletionCitation(c.DocumentId, c.DocumentTitle, c.ChunkIndex, c.Score)).ToList();
        Citations.Clear();
        return list;
    }

    /// <summary>Reads what is left, so the grain's stream ends as it would with a client that stays.</summary>
    public async Task DrainAsync()
    {
        await foreach (var _ in RestAsync()) { }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _events.EndQuietlyAsync();
}
