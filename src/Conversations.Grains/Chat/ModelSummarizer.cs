using System.Text;
using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Conversations.Prompting;

namespace Conversations.Grains.Chat;

/// <summary>Summaries from the configured model, or extractive ones when no model runs or the model fails.</summary>
public sealed class ModelSummarizer(IChatModelProvider models, ITokenCounter tokens) : IConversationSummarizer
{
    private readonly ExtractiveSummarizer _extractive = new(tokens);

    /// <inheritdoc />
    public async Task<string> SummarizeAsync(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens, CancellationToken cancellationToken)
    {
        var model = models.Primary;
        if (model.Name == ExtractiveResponder.ModelName)
            return await _extractive.SummarizeAsync(previousSummary, turnsToFold, maxTokens, cancellationToken);
        try
        {
            var instruction = SummaryPrompts.BuildSummaryRequest(previousSummary, turnsToFold, maxTokens);
            var request = new ModelRequest([new PromptLine(PromptLine.User, instruction)], maxTokens);
            var text = new StringBuilder();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(models.Options.FirstTokenTimeout + models.Options.StallTimeout);
            await foreach (var u in model.StreamAsync(request, timeout.Token)) text.Append(u.Text);
            var summary = text.ToString().Trim();
            if (summary.Length > 0) return tokens.KeepStart(summary, maxTokens);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed summary must not lose the turns: fall through to the extractive one.
        }
        return await _extractive.SummarizeAsync(previousSummary, turnsToFold, maxTokens, cancellationToken);
    }
}
