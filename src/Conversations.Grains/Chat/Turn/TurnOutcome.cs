using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>How a chat turn ended. Set once: by the stage that ended the turn, or at its end when it stopped without one.</summary>
internal enum TurnOutcome
{
    /// <summary>The answer was delivered in full.</summary>
    Completed,
    /// <summary>The output guard withheld the rest of the answer; what was shown, with the notice, is the answer.</summary>
    Withheld,
    /// <summary>The model stopped part-way and no model could finish: the partial answer is kept, marked incomplete.</summary>
    Incomplete,
    /// <summary>No model produced an answer.</summary>
    Failed,
    /// <summary>The input check or the budget refused the question.</summary>
    Refused,
    /// <summary>The question could not be stored, so it was not sent; the turn left no message.</summary>
    QuestionNotStored,
    /// <summary>The turn stopped before it was recorded (nobody watched it for too long, or a stage threw): what was shown is kept as interrupted.</summary>
    Abandoned,
    /// <summary>The user stopped the turn: what was shown is kept as stopped, and billed.</summary>
    Stopped,
}

/// <summary>What each <see cref="TurnOutcome"/> means for the stored answer and the turn's figures.</summary>
internal static class TurnOutcomes
{
    /// <summary>The outcome of a turn whose models ran to the end of the chain.</summary>
    /// <param name="failed">The last attempt failed.</param>
    /// <param name="withheld">The output guard withheld the rest of the answer (the answer counts as given, whatever the models did).</param>
    /// <param name="cutOff">Some text was written before the failure.</param>
    public static TurnOutcome OfAnswer(bool failed, bool withheld, bool cutOff) =>
        withheld ? TurnOutcome.Withheld : !failed ? TurnOutcome.Completed : cutOff ? TurnOutcome.Incomplete : TurnOutcome.Failed;

    /// <summary>True when the user got an answer (a <c>done</c> event, and the answer may be cached).</summary>
    public static bool Delivered(this TurnOutcome outcome) => outcome is TurnOutcome.Completed or TurnOutcome.Withheld;

    /// <summary>The outcome as the turn metric and the trace name it; null for a turn that left no message (and records no figures).</summary>
    public static string? MetricName(this TurnOutcome outcome) => outcome switch
    {
        TurnOutcome.Completed => "complete",
        TurnOutcome.Withheld => "withheld",
        TurnOutcome.Incomplete => "incomplete",
        TurnOutcome.Failed => "failed",
        TurnOutcome.Refused => "refused",
        TurnOutcome.Abandoned => "abandoned",
        TurnOutcome.Stopped => "stopped",
        _ => null,
    };

    /// <summary>The status of the answer the turn stores; null for a turn that stores none.</summary>
    public static string? MessageStatusOf(this TurnOutcome outcome) => outcome switch
    {
        TurnOutcome.Completed or TurnOutcome.Withheld => MessageStatus.Complete,
        TurnOutcome.Incomplete => MessageStatus.Incomplete,
        TurnOutcome.Failed => MessageStatus.Failed,
        TurnOutcome.Refused => MessageStatus.Refused,
        TurnOutcome.Abandoned => MessageStatus.Interrupted,
        TurnOutcome.Stopped => MessageStatus.Stopped,
        _ => null,
    };
}
