using System.Globalization;

namespace Conversations.Contracts.Chat;

/// <summary>One event of a turn with its id, as a watcher of the turn receives it.</summary>
[GenerateSerializer, Immutable, Alias("turn-event")]
public sealed record TurnEvent([property: Id(0)] string Id, [property: Id(1)] ChatEvent Event);

/// <summary>
/// The events a watcher receives in one step: all those in the turn's buffer when it looked. A burst of events then
/// costs one grain round trip, not one for its first event and another for the rest. A send's first batch also says how
/// the start went (<see cref="Start"/>); for a busy or unknown conversation it is the only one, with no events.
/// </summary>
[GenerateSerializer, Immutable, Alias("turn-event-batch")]
public sealed record TurnEventBatch([property: Id(0)] IReadOnlyList<TurnEvent> Events, [property: Id(1)] TurnStart? Start = null);

/// <summary>
/// Where an event stands in its turn: its number (from 1), and how many answer characters and citations the client has
/// once it has this event. The counts let a resume from the stored answer skip exactly what the client already has.
/// Written as <c>{index}.{chars}.{citations}</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("turn-event-id")]
public readonly record struct TurnEventId([property: Id(0)] int Index, [property: Id(1)] int Chars, [property: Id(2)] int Citations)
{
    /// <summary>The id as it goes on the wire.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}.{Chars}.{Citations}");

    /// <summary>Reads an id written by <see cref="ToString"/>; false for anything else.</summary>
    public static bool TryParse(string? text, out TurnEventId id)
    {
        id = default;
        var parts = text?.Split('.');
        if (parts is not { Length: 3 }) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var chars)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var citations)) return false;
        id = new TurnEventId(index, chars, citations);
        return true;
    }
}

/// <summary>What asking to start a turn did.</summary>
[GenerateSerializer, Alias("turn-start-status")]
public enum TurnStartStatus
{
    /// <summary>A new turn started.</summary>
    Started,
    /// <summary>The turn with this id is running: the caller joins it.</summary>
    Running,
    /// <summary>The turn with this id has finished: its stored answer is replayed.</summary>
    Finished,
    /// <summary>Another turn of the conversation is running; try again when it has finished.</summary>
    Busy,
    /// <summary>The conversation does not exist or is not the caller's.</summary>
    NotFound,
    /// <summary>The turn id was already used for a different message: nothing starts, nothing is replayed.</summary>
    Mismatch,
    /// <summary>The message would replace a turn that is not the conversation's last answered one: nothing starts.</summary>
    NotLastTurn,
}

/// <summary>The answer to a start: what happened and the turn's id (the running one's when busy).</summary>
[GenerateSerializer, Immutable, Alias("turn-start")]
public sealed record TurnStart([property: Id(0)] TurnStartStatus Status, [property: Id(1)] string TurnId)
{
    /// <summary>True when the send neither started nor joined a turn (the first batch then carries no events).</summary>
    public bool StartedNothing => Status is TurnStartStatus.NotFound or TurnStartStatus.Busy or TurnStartStatus.Mismatch or TurnStartStatus.NotLastTurn;
}

/// <summary>Where a turn is.</summary>
[GenerateSerializer, Alias("turn-state")]
public enum TurnState
{
    /// <summary>No such turn in the conversation (or not the caller's conversation).</summary>
    Unknown,
    /// <summary>The turn is running.</summary>
    Running,
    /// <summary>The turn has finished; its answer is stored.</summary>
    Finished,
}

/// <summary>The answer to a cancel: where the turn was, and the status its answer was stored with (null when none was).</summary>
[GenerateSerializer, Immutable, Alias("turn-cancel")]
public sealed record TurnCancel([property: Id(0)] TurnState State, [property: Id(1)] string? MessageStatus);
