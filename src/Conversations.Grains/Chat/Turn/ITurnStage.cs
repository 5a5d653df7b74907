using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// One stage of a chat turn: does its part of the turn, yields what the user sees, and ends the turn early by setting
/// <see cref="ChatTurn.Outcome"/>. Stages keep no state of their own; the turn carries it.
/// </summary>
internal interface ITurnStage
{
    /// <summary>Runs the stage for <paramref name="turn"/>.</summary>
    IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, CancellationToken cancellationToken);
}
