using System.Diagnostics;
using Conversations.Contracts.Chat;
using Conversations.Grains.Telemetry;

namespace Conversations.Grains.Chat.Turn;

/// <summary>A turn's figures on its trace span and the dashboard metrics; no tenant or user ids as metric tags.</summary>
internal static class TurnMetrics
{
    /// <summary>Outcome, latency, tokens, cost and failed model attempts of one turn.</summary>
    public static void Record(Activity? activity, string outcome, string? model, TimeSpan? firstText, TimeSpan? lastText, TimeSpan elapsed,
        TurnUsage? usage, IReadOnlyList<ModelAttempt> attempts)
    {
        activity?.SetTag("conversations.outcome", outcome).SetTag("conversations.model", model)
            .SetTag("conversations.time_to_first_text_ms", firstText?.TotalMilliseconds)
            .SetTag("conversations.prompt_tokens", usage?.PromptTokens).SetTag("conversations.cached_tokens", usage?.CachedPromptTokens)
            .SetTag("conversations.completion_tokens", usage?.CompletionTokens);
        var modelTag = new KeyValuePair<string, object?>("model", model ?? "none");
        PlatformMetrics.Turns.Add(1, new KeyValuePair<string, object?>("outcome", outcome), modelTag);
        PlatformMetrics.TurnDuration.Record(elapsed.TotalMilliseconds, modelTag);
        if (firstText is { } ttft) PlatformMetrics.TimeToFirstToken.Record(ttft.TotalMilliseconds, modelTag);
        // The seed's second SLO: the streaming pace after the first token, over the tokens the model wrote after it.
        if (TimePerOutputToken(firstText, lastText, usage?.CompletionTokens) is { } tpot)
        {
            PlatformMetrics.TimePerOutputToken.Record(tpot, modelTag);
            activity?.SetTag("conversations.time_per_output_token_ms", tpot);
        }
        if (usage is not null)
        {
            PlatformMetrics.Tokens.Add(usage.PromptTokens - usage.CachedPromptTokens, new KeyValuePair<string, object?>("kind", "prompt"), modelTag);
            PlatformMetrics.Tokens.Add(usage.CachedPromptTokens, new KeyValuePair<string, object?>("kind", "cached"), modelTag);
            PlatformMetrics.Tokens.Add(usage.CompletionTokens, new KeyValuePair<string, object?>("kind", "completion"), modelTag);
            if (usage.CostUsd > 0) PlatformMetrics.Cost.Add((double)usage.CostUsd, modelTag);
        }
        foreach (var failed in attempts.Where(a => a.FailureCode is not null))
            PlatformMetrics.ModelFailures.Add(1, new KeyValuePair<string, object?>("model", failed.ModelId), new KeyValuePair<string, object?>("code", failed.FailureCode));
    }

    /// <summary>Milliseconds per output token after the first; null when fewer than two tokens were shown.</summary>
    public static double? TimePerOutputToken(TimeSpan? firstText, TimeSpan? lastText, int? completionTokens) =>
        firstText is { } first && lastText is { } last && completionTokens is > 1 && last > first
            ? (last - first).TotalMilliseconds / (completionTokens.Value - 1)
            : null;
}
