using Conversations.Moderation.Engine;
using Conversations.Moderation.Messages;

namespace Conversations.Moderation.Moderators;

/// <summary>The moderator used when Green is not configured: the built-in engine alone.</summary>
public sealed class BuiltInContentModerator(ModerationEngine engine) : IContentModerator
{
    /// <summary>Name reported in <see cref="ModerationVerdict.Checkers"/>.</summary>
    public const string CheckerName = "builtin";

    /// <inheritdoc />
    public Task<ModerationVerdict> CheckInputAsync(ModerationRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(request, ModerationPhase.Input));

    /// <inheritdoc />
    public Task<ModerationVerdict> CheckOutputAsync(ModerationRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(request, ModerationPhase.Output));

    /// <summary>Synchronous check (the engine never waits on anything).</summary>
    public ModerationVerdict Check(ModerationRequest request, ModerationPhase phase)
    {
        var result = engine.Scan(request.Text, request.Lexicons, phase, request.Policy);
        var refusal = result.IsBlocked
            ? RefusalMessages.For(result.RefusalClass ?? RefusalClass.Policy, request.Question ?? request.Text, request.Seed)
            : null;
        return new ModerationVerdict(
            result.Action, result.RiskLevel, result.Results, result.Hits,
            result.IsBlocked ? "" : result.Mask(request.Text), result.MaskForStorage(request.Text), refusal, [CheckerName]);
    }
}
