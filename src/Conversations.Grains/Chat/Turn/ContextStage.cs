using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// What the prompt is built from besides the question, read beside its commit: the tenant's settings, and the asker's
/// memory, reloaded when it is not loaded yet or the user made the platform forget something since.
/// </summary>
internal sealed class ContextStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        turn.Settings = await turn.SettingsRead;
        // An evaluation case is asked as a real user, but on the admin's behalf: the answer must not read that user's
        // private memory (nor, in RecordStage, teach it anything), and the same case must ask the same question.
        if (!Evaluation.EvaluationConversations.Is(turn.Conversation.ConversationId))
            await turn.Conversation.Prompt.RefreshMemoryAsync(turn.Conversation.User(turn.Caller.UserId), turn.MemoryEpochRead);
        yield break;
    }
}
