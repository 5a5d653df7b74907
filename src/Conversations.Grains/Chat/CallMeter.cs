using System.Text;
using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Conversations.Prompting.History;
using Conversations.Prompting.Tokens;

namespace Conversations.Grains.Chat;

/// <summary>
/// Meters one model call of a turn: the text it streamed and the usage it reported, so the call is billed however it
/// ends (finished, cut off, failed after some output, or abandoned when the client left). Providers report usage only
/// in a stream's last chunk; for a stream that never got there the tokens are counted with the tokenizer and the
/// bill is marked estimated.
/// </summary>
internal sealed class CallMeter(ModelCandidate candidate, Func<int> promptTokens, ITokenCounter tokens)
{
    private readonly StringBuilder _text = new();
    private ModelUsage? _reported;

    /// <summary>The model called.</summary>
    public ModelCandidate Candidate => candidate;

    /// <summary>When the first text arrived, measured from the call's start; null while none has.</summary>
    public TimeSpan? TimeToFirstToken { get; set; }

    /// <summary>Adds one step of the stream.</summary>
    public void Add(GuardedUpdate step)
    {
        if (step.Usage is { IsPlausible: true } u)
            _reported = _reported is null ? u : new ModelUsage(_reported.PromptTokens + u.PromptTokens,
                _reported.CachedPromptTokens + u.CachedPromptTokens, _reported.CompletionTokens + u.CompletionTokens);
        if (!string.IsNullOrEmpty(step.Text)) _text.Append(step.Text);
    }

    /// <summary>The finished attempt with what it consumed.</summary>
    public ModelAttempt Close(ModelFailure? failure)
    {
        var attempt = new ModelAttempt(candidate.ModelId, TimeToFirstToken, failure?.Code, failure is not null && TimeToFirstToken is null)
        {
            HealthKind = failure?.HealthKind,
        };
        if (!CallsProvider(candidate.Model)) return attempt;
        if (_reported is not null) return attempt with { Usage = _reported };
        // A call that failed before any output and reported nothing consumed nothing a provider bills.
        if (_text.Length == 0) return attempt;
        return attempt with { Usage = new ModelUsage(promptTokens(), 0, tokens.Count(_text.ToString())), Estimated = true };
    }

    /// <summary>True for a model behind a provider; false for the local extractive responder and ready answers (caches, canned replies).</summary>
    public static bool CallsProvider(IChatModel model) => model is not ReadyAnswerModel && model.Name != ExtractiveResponder.ModelName;

    /// <summary>Prompt tokens of a request as a provider counts them, estimated: each message with its framing, and the reply priming.</summary>
    public static int EstimatePromptTokens(ITokenCounter tokens, ModelRequest request) =>
        request.Messages.Sum(m => MessageTokens.InPrompt(tokens.Count(m.Content))) + MessageTokens.ReplyPriming;
}
