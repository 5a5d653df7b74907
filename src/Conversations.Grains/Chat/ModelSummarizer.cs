using System.Text;
using Conversations.Models.Chat;
using Conversations.Models.Extractive;
using Conversations.Prompting.History;
using Conversations.Prompting.Layout;
using Conversations.Prompting.Summaries;
using Conversations.Prompting.Tokens;

namespace Conversations.Grains.Chat;

/// <summary>A folded summary, who wrote it and what it used.</summary>
/// <param name="Usage">The model's tokens, reported or counted; null when no model call consumed any (none was made, or it failed before any output).</param>
/// <param name="Estimated">True when <paramref name="Usage"/> was counted with the tokenizer because the provider reported none.</param>
internal sealed record FoldSummary(string Text, SummaryModelChoice Choice, ModelUsage? Usage, bool Estimated = false);

/// <summary>Summaries from a model (the tenant's small model when it routes), or extractive ones when no model runs or the model fails.</summary>
internal sealed class ModelSummarizer(IChatModelProvider models, ITokenCounter tokens) : IConversationSummarizer
{
    private readonly ExtractiveSummarizer _extractive = new(tokens);

    /// <inheritdoc />
    public async Task<string> SummarizeAsync(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens, CancellationToken cancellationToken) =>
        (await SummarizeAsync(previousSummary, turnsToFold, maxTokens,
            _ => Task.FromResult(SummaryModelChoice.Unbudgeted("", "", models.Primary.Name, models.Primary)), cancellationToken)).Text;

    /// <summary>
    /// Builds the summary request, lets <paramref name="chooseModel"/> pick the model for its prompt size (and hold its
    /// budget), and calls it; falls back to the extractive summary when the choice is none, or the model fails or is silent.
    /// </summary>
    public async Task<FoldSummary> SummarizeAsync(string? previousSummary, IReadOnlyList<ChatTurnMessage> turnsToFold, int maxTokens,
        Func<int, Task<SummaryModelChoice>> chooseModel, CancellationToken cancellationToken)
    {
        var instruction = SummaryPrompts.BuildSummaryRequest(previousSummary, turnsToFold, maxTokens);
        var promptTokens = MessageTokens.InPrompt(tokens.Count(instruction)) + MessageTokens.ReplyPriming;
        var choice = await chooseModel(promptTokens);
        ModelUsage? usage = null;
        var estimated = false;
        if (choice.Model is { } model && model.Name != ExtractiveResponder.ModelName)
        {
            var text = new StringBuilder();
            try
            {
                var request = new ModelRequest([new PromptMessage(ChatRoles.User, instruction)], maxTokens);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(models.Options.FirstTokenTimeout + models.Options.StallTimeout);
                await foreach (var u in model.StreamAsync(request, timeout.Token))
                {
                    text.Append(u.Text);
                    if (u.Usage is { IsPlausible: true }) usage = u.Usage;
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed summary must not lose the turns: fall through to the extractive one.
            }
            // What the provider bills for, counted here when it did not say (a cut stream); a call that failed before any
            // output and reported nothing consumed nothing billed.
            if (usage is null && text.Length > 0) (usage, estimated) = (new ModelUsage(promptTokens, 0, tokens.Count(text.ToString())), true);
            var summary = text.ToString().Trim();
            if (summary.Length > 0) return new FoldSummary(tokens.KeepStart(summary, maxTokens), choice, usage, estimated);
        }
        return new FoldSummary(await _extractive.SummarizeAsync(previousSummary, turnsToFold, maxTokens, cancellationToken), choice, usage, estimated);
    }
}
