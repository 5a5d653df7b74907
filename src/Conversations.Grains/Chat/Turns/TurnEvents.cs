using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turns;

/// <summary>The events that end a turn which did not end by itself, and how a stored answer's status ends its replay.</summary>
internal static class TurnEvents
{
    /// <summary>The finish reason of a <c>done</c> event for an answer the user stopped.</summary>
    public const string StoppedFinish = "stopped";

    /// <summary>Ends a turn stopped for nobody watching it, or broken on our side; what was written is kept.</summary>
    public static readonly ErrorEvent Interrupted = new("interrupted",
        "The answer was interrupted. What was written so far is saved; please send your message again.", true);

    /// <summary>Ends a turn stopped before its question was stored: nothing was kept.</summary>
    public static readonly ErrorEvent StoppedUnsaved = new(TurnErrorCodes.Stopped, "The turn was stopped before your message was saved.", false);

    /// <summary>The event that ends the replay of a stored answer, as the live turn ended.</summary>
    public static ChatEvent FinalOf(StoredAnswer stored) => stored.Answer.Status switch
    {
        MessageStatus.Complete => stored.Done(stored.Answer.FinishReason ?? "stop"),
        MessageStatus.Stopped => stored.Done(StoppedFinish),
        MessageStatus.Incomplete => new ErrorEvent(TurnErrorCodes.ModelIncomplete,
            "The model stopped part-way through." + ErrorEvent.PartialAnswerSaved + " Please try again in a moment.", true),
        MessageStatus.Failed => new ErrorEvent(TurnErrorCodes.ModelFailed, stored.Answer.Content, true),
        MessageStatus.Refused => new ErrorEvent(stored.Answer.Model == "moderation" ? TurnErrorCodes.InputRefused : TurnErrorCodes.Refused, stored.Answer.Content, false),
        _ => Interrupted,
    };
}
