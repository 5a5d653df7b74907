using Conversations.Contracts.Telemetry;
using Conversations.Grains.Telemetry;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Contracts.Chat;
using Conversations.Models.Chat;
using Conversations.Prompting.History;
using Conversations.Prompting.Layout;
using Conversations.Routing.Escalation;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// Stages 6 and 7: the sources the prompt used, then the models of the chain in order, every delta through the output
/// guard. A failure before the first token moves on silently; a failure part-way is continued by the next model that
/// calls a provider, from the partial answer, so the user sees one answer. When the plan names an escalation model, the
/// first (small) model's opening is held back and read (<see cref="OutOfDepth"/>): an answer that shows the model out of
/// its depth is dropped (billed like any call) and the escalation model answers the question afresh, before the user saw
/// any of it.
/// </summary>
internal sealed class ModelAttemptsStage : ITurnStage
{
    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in turn.Retrieval.Chunks.Where(c => turn.Prompt.IncludedChunkIds.Contains(ConversationPrompt.ChunkId(c))))
        {
            turn.Citations.Add(new CitationRecord(chunk.DocumentId, chunk.Title, chunk.ChunkIndex, chunk.Score));
            yield return new CitationEvent(chunk.DocumentId, chunk.Title, chunk.ChunkIndex, chunk.Score);
        }

        var (answer, chain) = (turn.Answer, turn.Chain);
        answer.Guard(turn.Moderation.StartOutput());
        yield return new ProgressEvent("generating", "Writing the answer…");
        for (var i = 0; i < chain.Count && !answer.Withheld; i++)
        {
            // The model stopped part-way and only the extractive responder is left: its reply spliced onto the model's
            // words would read as nonsense, so the answer ends here, marked incomplete.
            if (answer.HasText && !chain.Skip(i).Any(c => CallMeter.CallsProvider(c.Model))) break;
            var watched = i == 0 && turn.Escalated is null && turn.Route?.Plan.Escalation is not null;
            var held = new StringBuilder();
            await foreach (var e in AttemptAsync(turn, chain[i], watched ? held : null, cancellationToken)) yield return e;
            if (turn.Escalated is not null && turn.Route!.Plan.Escalation is { } up)
            {
                PlatformMetrics.Escalations.Add(1, new KeyValuePair<string, object?>("model", chain[i].ModelId), new KeyValuePair<string, object?>("next", MetricModelLabel.For(up.ModelId)));
                yield return new ProgressEvent("escalating", "Checking this with a stronger model…");
                await foreach (var e in AttemptAsync(turn, up, null, cancellationToken)) yield return e;
                // The stronger model failed before writing: the held answer is better than none.
                if (answer.Failure is not null && !answer.HasText && held.Length > 0)
                {
                    answer.Failure = null;
                    foreach (var e in answer.Push(chain[i].ModelId, held.ToString())) yield return e;
                }
                if (answer.Failure is null) break;
                chain = [.. chain.Where(c => c.ModelId != up.ModelId && c.ModelId != chain[0].ModelId)];
                i = -1;
                continue;
            }
            if (answer.Failure is null) break;
            if (i + 1 < chain.Count)
                PlatformMetrics.Fallbacks.Add(1, new KeyValuePair<string, object?>("model", chain[i].ModelId), new KeyValuePair<string, object?>("next", MetricModelLabel.For(chain[i + 1].ModelId)));
            if (turn.Calls.Attempts[^1].TimeToFirstToken is not null && chain.Skip(i + 1).Any(c => CallMeter.CallsProvider(c.Model)))
            {
                answer.Continued = true;
                yield return new ProgressEvent("continuing", "The answer was interrupted; a backup model is finishing it…");
            }
        }
        // Outside checks of what was already shown finish before the held tail goes out (the only wait they add).
        await answer.SettleAsync();
        foreach (var e in answer.Complete()) yield return e;
    }

    /// <summary>The first call's request: with the low-confidence instruction (last, after the cacheable prefix) when its answer is watched for escalation.</summary>
    public static ModelRequest FirstRequest(ChatTurn turn) => turn.Route?.Plan.Escalation is null ? turn.Request : turn.Request with
    {
        Messages = [.. turn.Request.Messages, new PromptMessage(ChatRoles.System, OutOfDepth.Instruction)],
    };

    // One call: streams it through the guard, then closes it with how it went (its trace span notes both). With
    // <paramref name="held"/>, the opening is held there and read before any of it is shown; an out-of-depth opening
    // stops the call and sets the turn's escalation reason instead.
    private static async IAsyncEnumerable<ChatEvent> AttemptAsync(ChatTurn turn, ModelCandidate candidate, StringBuilder? held, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = turn.Answer;
        var continuation = answer.HasText;
        var request = continuation ? ContinuationRequest(turn.Request, answer.Raw) : held is not null ? FirstRequest(turn) : turn.Request;
        Func<int> promptTokens = continuation ? () => CallMeter.EstimatePromptTokens(turn.Pipeline.Tokens, request) : () => turn.Prompt.PromptTokens;
        using var attempt = turn.Calls.Begin(candidate, request, promptTokens, continuation, cancellationToken);
        var meter = turn.Calls.Open!;
        var cap = new OutputCapWatch(turn.Pipeline.Tokens, request.MaxOutputTokens);
        ModelFailure? failure = null;
        await foreach (var step in attempt.Stream)
        {
            if (step.Failure is not null)
            {
                failure = step.Failure;
                break;
            }
            meter.Add(step);
            if (step.FinishReason is { } reason) answer.HitOutputCap = reason == "length";
            if (string.IsNullOrEmpty(step.Text)) continue;
            // A provider that ignores the output cap is cut at it: what the cut leaves of the delta is shown, nothing after.
            var text = cap.Admit(step.Text, out var cut);
            if (cut) answer.HitOutputCap = true;
            if (text.Length == 0) break;
            // For the early call, time to first token includes any wait for the question's commit.
            if (meter.TimeToFirstToken is null) PlatformTracing.Mark(turn.Activity, "first model text");
            meter.TimeToFirstToken ??= DateTimeOffset.UtcNow - attempt.Started;
            if (held is not null)
            {
                held.Append(text);
                if (OutOfDepth.Check(held.ToString(), false, false) is { } why)
                {
                    turn.Escalated = why;
                    break;
                }
                if (held.Length < OutOfDepth.HoldChars)
                {
                    if (cut) break;
                    continue;
                }
                var opening = held.ToString();
                held = null; // read and fine: released, and the rest streams as usual
                foreach (var e in answer.Push(candidate.ModelId, opening)) yield return e;
                if (answer.Withheld || cut) break;
                continue;
            }
            foreach (var e in answer.Push(candidate.ModelId, text)) yield return e;
            if (answer.Withheld || cut) break;
        }
        if (held is not null && turn.Escalated is null)
        {
            // The answer ended (or failed) within its opening: read it whole, then show it unless it is out of depth.
            // Cut at the client's own cap is the answer the client asked for, not a sign of a model out of its depth.
            if (failure is null && OutOfDepth.Check(held.ToString(), true, answer.HitOutputCap && !turn.ClientCappedOutput) is { } why) turn.Escalated = why;
            else if (held.Length > 0)
                foreach (var e in answer.Push(candidate.ModelId, held.ToString())) yield return e;
        }
        answer.Failure = failure;
        var closed = turn.Calls.Close(failure);
        if (closed.TimeToFirstToken is { } ttft) attempt.Activity?.SetTag("conversations.time_to_first_token_ms", ttft.TotalMilliseconds);
        if (failure is not null) attempt.Activity?.SetStatus(ActivityStatusCode.Error, failure.Code);
    }

    private static ModelRequest ContinuationRequest(ModelRequest original, string partial) => original with
    {
        Messages = [.. original.Messages,
            new PromptMessage(ChatRoles.Assistant, partial),
            new PromptMessage(ChatRoles.User, "Your previous answer was cut off. Continue it from exactly where it stopped, without repeating anything and without comment.")],
    };
}
