using Conversations.Contracts.Chat;
using Conversations.Grains.Chat;
using Conversations.Moderation.Lexicons;
using Conversations.Moderation.Moderators;

namespace Conversations.Grains.Moderation.Turn;

/// <summary>
/// One turn's moderation after its input check: the verdict, the lexicons and withheld notice its answer's guard uses,
/// and the output findings' events, awaited when the turn finishes. The turn holds it, so nothing waits silo-wide.
/// </summary>
internal sealed class ModeratedTurn(TurnModeration moderation, Caller caller, string conversationId, string turnId,
    InputVerdict verdict, CompiledLexiconSet lexicons, string withheldNotice, GreenFailureMode? outsideMode, string question) : IModeratedTurn
{
    private readonly List<Task> _outputEvents = [];

    /// <inheritdoc />
    public InputVerdict Verdict => verdict;

    /// <inheritdoc />
    public IOutputGuard StartOutput() => moderation.Guard(caller, conversationId, turnId, lexicons, withheldNotice, outsideMode, question, _outputEvents.Add);

    /// <inheritdoc />
    public async Task FinishAsync(TurnUsage usage, string answerAsShown)
    {
        foreach (var written in _outputEvents) await moderation.WaitForEventAsync(written);
        _outputEvents.Clear();
        await moderation.ChargeAsync(caller, usage);
    }
}
