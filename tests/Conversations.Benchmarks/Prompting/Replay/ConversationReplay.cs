using Conversations.Prompting.History;
using Conversations.Prompting.Summaries;


namespace Conversations.Benchmarks.Prompting.Replay;

/// <summary>
/// Replays a scripted conversation through the planner, the builder and a summarizer, turn by turn as a conversation
/// grain would, and records what each prompt cost against a client that sends the full history.
/// </summary>
public sealed class ConversationReplay
{
    private readonly ReplayOptions options;
    private readonly ITokenCounter counter;
    private readonly IConversationSummarizer summarizer;

    /// <summary>A replay counting with <paramref name="counter"/> and folding with <paramref name="summarizer"/> (extractive by default).</summary>
    public ConversationReplay(ReplayOptions options, ITokenCounter counter, IConversationSummarizer? summarizer = null)
    {
        this.options = options;
        this.counter = counter;
        this.summarizer = summarizer ?? new ExtractiveSummarizer(counter);
    }

    /// <summary>Runs every turn and returns the per-turn figures.</summary>
    public async Task<ReplayResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var script = new ReplayScript(options.Seed);
        var budget = options.Budget.EnsureValid();
        var planner = new ContextWindowPlanner(budget);
        var builder = new PromptBuilder(counter, budget);

        var memory = UserMemory.Empty;
        // Like the conversation grain: facts are learned every turn, but the prompt's copy is refreshed only when the
        // summary folds (the prefix changes then anyway), so a new fact does not break the cached prefix on its own.
        IReadOnlyList<MemoryFact> promptMemory = memory.Facts;
        string? summary = null;
        var window = new List<ConversationTurn>();
        var history = new List<ChatTurnMessage>();
        var fullPrefix = StablePrefixRenderer.Render(BaseRequest(null));
        var fullPrefixTokens = MessageTokens.InPrompt(counter.Count(fullPrefix));
        BuiltPrompt? previous = null;
        IReadOnlyList<PromptMessage>? previousFull = null;
        var sequence = 0L;
        var turns = new List<ReplayTurn>(options.Turns);

        for (var t = 1; t <= options.Turns; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var question = ChatTurnMessage.Create(counter, ChatRoles.User, script.UserMessage(t), ++sequence);

            memory = memory.Remember(UserMemoryExtractor.Extract(question.Content), counter);

            var fold = planner.PlanFold(window, question.PromptTokens);
            var memoryChanged = false;
            if (fold.ShouldFold)
            {
                summary = await summarizer.SummarizeAsync(summary, fold.TurnsToFold.SelectMany(x => x.Messages).ToArray(), budget.MaxSummaryTokens, cancellationToken);
                window = fold.TurnsToKeep.ToList();
                memoryChanged = !ReferenceEquals(promptMemory, memory.Facts);
                promptMemory = memory.Facts;
            }

            var chunks = script.Chunks(t, options.ChunksPerTurn);
            var prompt = builder.Build(BaseRequest(null) with
            {
                MemoryFacts = promptMemory,
                ConversationSummary = summary,
                RecentTurns = window,
                Chunks = chunks,
                Question = question,
            });

            // The full-history client: same system text (no memory, no summary), every message, same final message.
            var full = new List<PromptMessage>(history.Count + 2) { new(ChatRoles.System, fullPrefix) };
            full.AddRange(history.Select(m => new PromptMessage(m.Role, m.Content)));
            full.Add(new PromptMessage(ChatRoles.User, PromptBuilder.FinalMessage(question.Content, chunks.Select(PromptBuilder.RenderChunk).ToArray())));
            var fullTokens = fullPrefixTokens + history.Sum(m => m.PromptTokens) + MessageTokens.InPrompt(counter.Count(full[^1].Content)) + MessageTokens.ReplyPriming;

            turns.Add(new ReplayTurn(
                t,
                prompt.PromptTokens,
                fullTokens,
                prompt.StablePrefixTokens,
                PromptCacheEstimator.CommonPrefixTokens(counter, previous, prompt),
                previousFull is null ? 0 : PromptCacheEstimator.CommonPrefixTokens(counter, previousFull, full),
                fold.ShouldFold,
                fold.TurnsToFold.Count,
                memoryChanged,
                prompt.IncludedTurns.Count,
                summary is null ? 0 : counter.Count(summary),
                prompt.Trimmed));

            var answer = ChatTurnMessage.Create(counter, ChatRoles.Assistant, script.Answer(t, question.Content, prompt.IncludedChunkIds.Count > 0 ? chunks : []), ++sequence);
            window.Add(ConversationTurn.Of(question, answer));
            history.Add(question);
            history.Add(answer);
            previous = prompt;
            previousFull = full;
        }
        return new ReplayResult(turns, budget, summary ?? "", memory);
    }

    private PromptRequest BaseRequest(string? summary) => new()
    {
        SystemPrompt = options.SystemPrompt,
        TenantInstructions = options.TenantInstructions,
        ConciseAnswerInstruction = options.ConciseAnswerInstruction,
        ConversationSummary = summary,
        Question = new ChatTurnMessage(ChatRoles.User, "", 0),
    };
}
