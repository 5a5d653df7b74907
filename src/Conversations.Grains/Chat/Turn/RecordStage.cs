using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;
using Conversations.Grains.Chat.Turns;
using Conversations.Grains.Drift;
using Conversations.Prompting.History;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stage 8: the turn's answer is stored with one usage row per model call, the router and moderation hear how it went,
/// the turn's figures are recorded, and the stream ends with <c>done</c> or a retryable <c>error</c>. The other ways a
/// stored question ends (refused, abandoned) are recorded here too.
/// </summary>
internal sealed class RecordStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (answer, attempts, tokens) = (turn.Answer, turn.Calls.Attempts, turn.Pipeline.Tokens);
        var outcome = TurnOutcomes.OfAnswer(answer.Failure is not null, answer.Withheld, answer.CutOff);
        var text = answer.Shown;
        // What the calls consumed, each at its own model; with no model billed (a ready or extractive answer), the
        // answer's own size for the token limits, while the done event, like the ledger and a replay, says none.
        var billed = TurnBilling.Usage(attempts);
        var usage = billed ?? new TurnUsage(turn.Prompt.PromptTokens, 0, tokens.Count(answer.Raw), 0m);
        var cost = turn.Settled = await turn.Route!.FinishAsync(attempts, answer.ModelName, usage, text, outcome.Delivered());
        usage = usage with { CostUsd = cost.TotalUsd };
        var modelName = answer.ModelName ?? attempts.LastOrDefault()?.ModelId ?? turn.Chain[0].ModelId;
        var cutOff = outcome == TurnOutcome.Incomplete;
        var stored = outcome.Delivered() || cutOff ? text : answer.Failure!.Message;
        var finish = answer.Withheld ? "content_filter" : answer.HitOutputCap ? "length" : "stop";
        // Saved with the number and finish reason of the event that ends the stream: a replay from the log ends the same way.
        var assistant = turn.Conversation.Log.Next(turn.TurnId, ChatRoles.Assistant, stored, outcome.MessageStatusOf()!,
            cutOff ? tokens.Count(text) : usage.CompletionTokens, modelName) with
        {
            Citations = turn.Citations, FinalEvent = turn.NextEventNumber, FinishReason = outcome.Delivered() ? finish : null,
        };
        await SaveAsync(turn, assistant, Rows(turn, cost, modelName));
        turn.Outcome = outcome;
        DriftFeed.Finished(turn, outcome.Delivered(), text);
        TurnMetrics.Record(turn.Activity, outcome.MetricName()!, modelName, answer.FirstText, answer.LastText, turn.Clock.Elapsed, usage, attempts);
        await turn.Moderation.FinishAsync(usage, text);
        if (!outcome.Delivered())
        {
            var failure = answer.Failure!;
            ChatLog.ModelFailure(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, failure.Code, failure.Message);
            yield return new ErrorEvent(failure.Code, failure.Message + (cutOff ? ErrorEvent.PartialAnswerSaved : "") + " Please try again in a moment.", true);
            yield break;
        }
        await SummaryFold.RememberAsync(turn);
        yield return new DoneEvent(turn.TurnId, turn.Commit.Question.Seq, assistant.Seq, billed is null ? TurnUsage.None : usage, modelName, finish)
        {
            Route = turn.Route.Plan.ReadyAnswerSource ?? turn.Route.Plan.Reason + (turn.Escalated is { } why ? $"; escalated to {modelName}: {why}" : ""),
            Continued = answer.Continued,
        };
    }

    /// <summary>A refusal (by "moderation" or "router") is the stored question's answer; no model ran.</summary>
    public static async Task RefusedAsync(ChatTurn turn, string refusedBy, string message)
    {
        var log = turn.Conversation.Log;
        await log.SaveAsync(log.Next(turn.TurnId, ChatRoles.Assistant, message, MessageStatus.Refused, turn.Pipeline.Tokens.Count(message), refusedBy)
            with { FinalEvent = turn.NextEventNumber }, null);
        turn.Outcome = TurnOutcome.Refused;
        DriftFeed.Refused(turn);
        TurnMetrics.Record(turn.Activity, TurnOutcome.Refused.MetricName()!, refusedBy, null, null, turn.Clock.Elapsed, null, turn.Calls.Attempts);
    }

    /// <summary>
    /// The turn stopped after its question was stored (the user stopped it, nobody watched it for too long, or a stage
    /// threw): what was shown is kept, marked stopped or interrupted, and every call is billed, the one cut short
    /// included. Nothing here uses the turn's token. Sets the event that ends the turn's stream.
    /// </summary>
    public static async Task AbandonedAsync(ChatTurn turn)
    {
        var outcome = turn.StopRequested ? TurnOutcome.Stopped : TurnOutcome.Abandoned;
        var (answer, attempts, route) = (turn.Answer, turn.Calls.Attempts, turn.Route);
        var usage = TurnBilling.Usage(attempts) ?? TurnUsage.None;
        var cost = await SettleAsync(turn, usage);
        usage = usage with { CostUsd = cost?.TotalUsd ?? 0m };
        var log = turn.Conversation.Log;
        var shown = answer.Shown;
        var modelName = answer.ModelName ?? attempts.LastOrDefault()?.ModelId;
        var saved = log.Next(turn.TurnId, ChatRoles.Assistant, shown, outcome.MessageStatusOf()!, turn.Pipeline.Tokens.Count(shown), answer.ModelName)
            with
            {
                Citations = turn.Citations, FinalEvent = turn.NextEventNumber, FinishReason = outcome == TurnOutcome.Stopped ? TurnEvents.StoppedFinish : null,
            };
        var rows = Rows(turn, cost, route is null ? null : modelName ?? "none");
        try
        {
            await SaveAsync(turn, saved, rows);
        }
        catch (Exception) when (turn.ConversationGone)
        {
            return; // billed by the turn's end, anonymised
        }
        catch (Exception)
        {
            // The answer could not be stored (the next activation closes the question), but its calls are still billed.
            await WriteUsageAsync(turn, rows);
            throw;
        }
        turn.Outcome = outcome;
        TurnMetrics.Record(turn.Activity, outcome.MetricName()!, answer.ModelName, answer.FirstText, answer.LastText, turn.Clock.Elapsed, usage, attempts);
        turn.Final = outcome == TurnOutcome.Stopped
            ? new DoneEvent(turn.TurnId, turn.Commit.Question.Seq, saved.Seq, usage, modelName ?? "none", TurnEvents.StoppedFinish)
            : TurnEvents.Interrupted;
        // A stopped answer counts against the user's tokens a minute as a finished one does: stopping is no way round the limit.
        // The answer is saved and the turn's final event set by now: a failed charge is logged, not taken for a failed turn.
        try
        {
            await turn.Moderation.FinishAsync(usage, shown);
        }
        catch (Exception e)
        {
            ChatLog.ChargeFailed(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, e);
        }
    }

    /// <summary>
    /// The conversation (or its user) was erased while the turn ran: nothing is stored in it, but the route is settled
    /// (its budget reservation released) and every call is billed, the rows anonymised as the erasure anonymised the rest.
    /// </summary>
    public static async Task AfterErasureAsync(ChatTurn turn)
    {
        var attempts = turn.Calls.Attempts;
        var cost = await SettleAsync(turn, TurnBilling.Usage(attempts) ?? TurnUsage.None);
        var rows = Rows(turn, cost, turn.Route is null ? null : turn.Answer.ModelName ?? attempts.LastOrDefault()?.ModelId ?? "none");
        if (rows.Count == 0) return;
        try
        {
            await turn.Pipeline.Usage.WriteAfterErasureAsync(rows, CancellationToken.None);
        }
        catch (Exception e)
        {
            ChatLog.UsageLost(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, rows.Count, e);
        }
    }

    // The route's settlement, made once however the turn ends; a failure is logged (the reservation expires on its own).
    private static async Task<TurnCost?> SettleAsync(ChatTurn turn, TurnUsage usage)
    {
        if (turn.Settled is not null || turn.Route is null) return turn.Settled;
        try
        {
            return turn.Settled = await turn.Route.FinishAsync(turn.Calls.Attempts, turn.Answer.ModelName, usage, turn.Answer.Shown, false);
        }
        catch (Exception e)
        {
            ChatLog.SettleFailed(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, e);
            return null;
        }
    }

    // Stores the answer with its usage rows; a write refused because the conversation is gone marks the turn so.
    private static async Task SaveAsync(ChatTurn turn, MessageRecord answer, IReadOnlyList<UsageRecord> rows)
    {
        try
        {
            await turn.Conversation.Log.SaveAsync(answer, rows);
        }
        catch (Exception)
        {
            if (!turn.ConversationGone && await turn.Pipeline.Store.GetAsync(turn.Conversation.TenantId, turn.Conversation.ConversationId, CancellationToken.None) is null)
                turn.ConversationGone = true;
            throw;
        }
    }

    /// <summary>Usage rows of calls whose turn left no message: written alone, and a failure is logged, never thrown, since the turn is already ending.</summary>
    public static async Task WriteUsageAsync(ChatTurn turn, IReadOnlyList<UsageRecord> rows)
    {
        if (rows.Count == 0) return;
        try
        {
            await turn.Pipeline.Usage.WriteAsync(rows, CancellationToken.None);
        }
        catch (Exception e)
        {
            ChatLog.UsageLost(turn.Pipeline.Logger, turn.Conversation.TenantId, turn.Conversation.ConversationId, rows.Count, e);
        }
    }

    private static List<UsageRecord> Rows(ChatTurn turn, TurnCost? cost, string? answeredBy) =>
        TurnBilling.Rows(turn.Conversation.TenantId, turn.Caller.UserId, turn.Conversation.ConversationId, turn.TurnId, turn.Calls.Attempts, cost, answeredBy,
            turn.StartedAt);
}
