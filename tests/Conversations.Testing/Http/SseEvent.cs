namespace Conversations.Testing.Http;

/// <summary>One server-sent event of a turn, with its id (null when the server sent none).</summary>
public sealed record SseEvent(string Name, JsonNode Data, string? Id = null);

/// <summary>Reading a turn's events.</summary>
public static class SseEventExtensions
{
    /// <summary>The concatenated text of the delta events.</summary>
    public static string AnswerText(this IEnumerable<SseEvent> events) => string.Concat(events.Deltas());

    /// <summary>The delta texts in order.</summary>
    public static List<string> Deltas(this IEnumerable<SseEvent> events) =>
        events.Where(e => e.Name == "delta").Select(e => e.Data["text"]!.GetValue<string>()).ToList();

    /// <summary>The done event's data, failing with the events when the turn did not finish.</summary>
    public static JsonNode Done(this List<SseEvent> events)
    {
        Assert.True(events.Count > 0 && events[^1].Name == "done", events.Dump());
        return events[^1].Data;
    }

    /// <summary>One line per event, for failure messages.</summary>
    public static string Dump(this IEnumerable<SseEvent> events) => string.Join("\n", events.Select(e => $"{e.Name}: {e.Data.ToJsonString()}"));
}
