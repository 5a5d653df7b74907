using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Tenancy;
using Conversations.Models.Chat;
using Conversations.Prompting;
using Conversations.Storage.Chat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Conversations.Grains.Chat;

/// <summary>
/// One conversation. Not reentrant: its calls run one at a time, and a turn streams through an
/// <c>IAsyncEnumerable</c> whose steps interleave with other calls, so <see cref="_turnRunning"/> allows one turn at a time.
/// </summary>
public sealed partial class ConversationGrain(
    [PersistentState("conversation", "store")] IPersistentState<ConversationState> state,
    ConversationStore store,
    IChatModelProvider models,
    ITokenCounter tokens,
    IConversationSummarizer summarizer,
    IOptions<ChatOptions> options,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private readonly List<MessageRecord> _window = [];
    private string _tenantId = "";
    private string _conversationId = "";
    private long _lastSeq;
    private bool _turnRunning;
    // User memory as of the last prefix change: refreshed only when the summary folds, so the prefix stays byte-stable.
    private IReadOnlyList<MemoryFact>? _memory;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken ct)
    {
        (_tenantId, _conversationId) = GrainKeys.Split(this.GetPrimaryKeyString());
        if (!state.State.Exists) return;
        _lastSeq = await store.LastSeqAsync(_tenantId, _conversationId, ct);
        var recent = await store.ReadPageAsync(_tenantId, _conversationId, null, options.Value.RecentWindowMessages, ct);
        _window.AddRange(recent.Where(m => m.Seq > state.State.SummarizedThroughSeq));
        await CloseDanglingTurnAsync(ct);
    }

    /// <inheritdoc />
    public async Task<ConversationInfo> CreateAsync(Caller caller, string title)
    {
        EnsureTenant(caller);
        if (state.State.Exists)
        {
            if (state.State.OwnerUserId != caller.UserId)
                throw new InvalidOperationException("The conversation id is taken.");
            return Info(await store.GetAsync(_tenantId, _conversationId));
        }
        var row = await store.CreateAsync(_tenantId, _conversationId, caller.UserId, title);
        if (row.UserId != caller.UserId) throw new InvalidOperationException("The conversation id is taken.");
        state.State = new ConversationState { Exists = true, OwnerUserId = caller.UserId, Title = title, CreatedAt = row.CreatedAt };
        await state.WriteStateAsync();
        return Info(row);
    }

    /// <inheritdoc />
    public async Task<ConversationInfo?> GetAsync(Caller caller)
    {
        if (!Owns(caller)) return null;
        return Info(await store.GetAsync(_tenantId, _conversationId));
    }

    /// <inheritdoc />
    public async Task<HistoryPage?> GetHistoryAsync(Caller caller, long? beforeSeq, int limit)
    {
        if (!Owns(caller)) return null;
        limit = Math.Clamp(limit, 1, 200);
        var page = await store.ReadPageAsync(_tenantId, _conversationId, beforeSeq, limit);
        var messages = page.Select(m => new MessageInfo(m.Seq, m.TurnId, m.Role, m.Content, m.Status, m.CreatedAt, m.Model)).ToList();
        long? next = page.Count == limit && page[0].Seq > 1 ? page[0].Seq : null;
        return new HistoryPage(messages, next);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(Caller caller)
    {
        if (!Owns(caller)) return false;
        await store.DeleteAsync(_tenantId, _conversationId);
        await state.ClearStateAsync();
        state.State = new ConversationState();
        _window.Clear();
        _lastSeq = 0;
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatEvent> SendAsync(SendMessage message, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Owns(message.Caller))
        {
            yield return new ErrorEvent("not_found", "This conversation does not exist.", false);
            yield break;
        }
        if (_turnRunning)
        {
            yield return new ErrorEvent("turn_in_progress", "The previous answer in this conversation is still being written. Wait for it to finish, then send again.", true);
            yield break;
        }
        _turnRunning = true;
        var turnId = string.IsNullOrWhiteSpace(message.ClientTurnId) ? Guid.NewGuid().ToString("n") : message.ClientTurnId!;
        var answer = new StringBuilder();
        var finished = false;
        try
        {
            // Stage 1: the question is durable before anything else runs.
            var userMessage = new MessageRecord(_lastSeq + 1, turnId, PromptLine.User, message.Text, MessageStatus.Complete,
                tokens.Count(message.Text), null, DateTimeOffset.UtcNow);
            // Not cancellable: once sent, the question is either stored or the turn fails visibly.
            await store.AppendAsync(_tenantId, _conversationId, [userMessage]);
            _lastSeq = userMessage.Seq;
            _window.Add(userMessage);
            yield return new ProgressEvent("received", "Got your message.");

            var settings = await GrainFactory.GetGrain<ITenantGrain>(_tenantId).GetSettingsAsync();
            _memory ??= await LoadMemoryAsync(message.Caller.UserId);
            var model = models.Primary;
            var prompt = BuildPrompt(settings, userMessage);
            var request = new ModelRequest(
                prompt.Messages.Select(m => new PromptLine(m.Role, m.Content)).ToList(), prompt.MaxOutputTokens,
                CacheKey: PromptCacheHints.CacheKey(_tenantId, _conversationId));
            yield return new ProgressEvent("generating", "Writing the answer…");

            ModelUsage? usage = null;
            ModelFailure? failure = null;
            var chat = models.Options;
            await foreach (var step in ModelStreaming.GuardAsync(model, request, chat.FirstTokenTimeout, chat.StallTimeout, cancellationToken))
            {
                if (step.Failure is not null) { failure = step.Failure; break; }
                if (step.Usage is not null) usage = step.Usage;
                if (!string.IsNullOrEmpty(step.Text))
                {
                    answer.Append(step.Text);
                    yield return new DeltaEvent(step.Text);
                }
            }

            var text = answer.ToString();
            var completion = usage?.CompletionTokens ?? tokens.Count(text);
            var turnUsage = new TurnUsage(usage?.PromptTokens ?? prompt.PromptTokens,
                usage?.CachedPromptTokens ?? 0, completion, 0m);
            var status = failure is null ? MessageStatus.Complete : text.Length > 0 ? MessageStatus.Interrupted : MessageStatus.Failed;
            var assistant = new MessageRecord(_lastSeq + 1, turnId, PromptLine.Assistant, failure is null || text.Length > 0 ? text : failure.Message,
                status, completion, model.Name, DateTimeOffset.UtcNow);
            await SaveAssistantAsync(assistant, message.Caller, turnUsage, model.Name);
            finished = true;
            if (failure is not null)
            {
                LogModelFailure(logger, _tenantId, _conversationId, failure.Code, failure.Message);
                yield return new ErrorEvent(failure.Code, failure.Message + " Please try again in a moment.", true);
                yield break;
            }
            yield return new DoneEvent(turnId, userMessage.Seq, assistant.Seq, turnUsage, model.Name, "stop");
            // After the answer, off the time-to-first-token path: fold old turns, learn durable facts.
            await FoldIfNeededAsync(settings, message.Caller.UserId);
            await GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(_tenantId, message.Caller.UserId)).RememberFromMessageAsync(message.Text);
        }
        finally
        {
            if (!finished && _window.Count > 0 && _window[^1].TurnId == turnId && _window[^1].Role == PromptLine.User)
            {
                // The caller went away (or the turn threw) after the question was stored: keep what was written, marked.
                await SaveAssistantAsync(new MessageRecord(_lastSeq + 1, turnId, PromptLine.Assistant, answer.ToString(),
                    MessageStatus.Interrupted, tokens.Count(answer.ToString()), models.Primary.Name, DateTimeOffset.UtcNow), null, null, null);
            }
            _turnRunning = false;
        }
    }

    private BuiltPrompt BuildPrompt(TenantSettings settings, MessageRecord question)
    {
        var builder = new PromptBuilder(tokens, ChatBudgets.For(settings));
        var system = settings.Name.Length > 0 ? $"{options.Value.SystemPrompt}\n\nOrganisation: {settings.Name}" : options.Value.SystemPrompt;
        return builder.Build(new PromptRequest
        {
            SystemPrompt = system,
            TenantInstructions = settings.Instructions,
            ConciseAnswerInstruction = settings.ConciseInstruction,
            MemoryFacts = _memory ?? [],
            ConversationSummary = state.State.Summary,
            RecentTurns = RecentTurns(excludingSeq: question.Seq),
            Question = ToTurnMessage(question),
        });
    }

    // Folds the oldest turns into the summary once the window passes the tenant's threshold, in one step down to the target.
    private async Task FoldIfNeededAsync(TenantSettings settings, string userId)
    {
        var turns = RecentTurns(excludingSeq: null);
        var plan = new ContextWindowPlanner(ChatBudgets.For(settings)).PlanFold(turns);
        if (!plan.ShouldFold) return;
        var folded = plan.TurnsToFold.SelectMany(t => t.Messages).ToList();
        var summary = await summarizer.SummarizeAsync(state.State.Summary, folded, ChatBudgets.For(settings).MaxSummaryTokens, CancellationToken.None);
        state.State.Summary = summary;
        state.State.SummarizedThroughSeq = plan.TurnsToFold[^1].LastSequence;
        await state.WriteStateAsync();
        _window.RemoveAll(m => m.Seq <= state.State.SummarizedThroughSeq);
        // The prefix changes anyway with the new summary: pick up memory learned since.
        _memory = await LoadMemoryAsync(userId);
        LogFolded(logger, _tenantId, _conversationId, folded.Count, tokens.Count(summary));
    }

    private IReadOnlyList<ConversationTurn> RecentTurns(long? excludingSeq) => ConversationTurn.Group(
        _window.Where(m => m.Seq != excludingSeq && m.Content.Length > 0 && m.Status is MessageStatus.Complete or MessageStatus.Interrupted)
            .Select(ToTurnMessage));

    private static ChatTurnMessage ToTurnMessage(MessageRecord m) => new(m.Role, m.Content, m.TokenCount, m.Seq);

    private async Task<IReadOnlyList<MemoryFact>> LoadMemoryAsync(string userId) =>
        (await GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(_tenantId, userId)).GetMemoryAsync())
            .Select(f => new MemoryFact(f.Id, f.Slot, f.Text, f.Sequence, f.TokenCount)).ToList();

    private async Task SaveAssistantAsync(MessageRecord assistant, Caller? caller, TurnUsage? usage, string? model)
    {
        await store.AppendAsync(_tenantId, _conversationId, [assistant],
            caller is null || usage is null ? null
                : new UsageRecord(_tenantId, caller.UserId, _conversationId, assistant.TurnId, model!, usage.PromptTokens,
                    usage.CachedPromptTokens, usage.CompletionTokens, usage.CostUsd));
        _lastSeq = assistant.Seq;
        _window.Add(assistant);
        if (_window.Count > options.Value.RecentWindowMessages) _window.RemoveRange(0, _window.Count - options.Value.RecentWindowMessages);
    }

    // After a crash the log may end with a question and no answer: record that turn as interrupted, not missing.
    private async Task CloseDanglingTurnAsync(CancellationToken ct)
    {
        if (_window.Count == 0 || _window[^1].Role != PromptLine.User) return;
        var question = _window[^1];
        var closing = new MessageRecord(_lastSeq + 1, question.TurnId, PromptLine.Assistant, "", MessageStatus.Interrupted, 0, null, DateTimeOffset.UtcNow);
        await store.AppendAsync(_tenantId, _conversationId, [closing], null, ct);
        _lastSeq = closing.Seq;
        _window.Add(closing);
    }

    private bool Owns(Caller caller) =>
        caller.TenantId == _tenantId && state.State.Exists && state.State.OwnerUserId == caller.UserId;

    private void EnsureTenant(Caller caller)
    {
        if (caller.TenantId != _tenantId) throw new UnauthorizedAccessException("Caller and conversation belong to different tenants.");
    }

    private ConversationInfo Info(ConversationRecord? row) => row is null
        ? new ConversationInfo(_conversationId, state.State.Title, state.State.CreatedAt, state.State.CreatedAt, 0)
        : new ConversationInfo(row.ConversationId, row.Title, row.CreatedAt, row.UpdatedAt, row.MessageCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Folded {Messages} messages of {TenantId}/{ConversationId} into a {Tokens}-token summary")]
    private static partial void LogFolded(ILogger logger, string tenantId, string conversationId, int messages, int tokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model failed in {TenantId}/{ConversationId}: {Code} {Reason}")]
    private static partial void LogModelFailure(ILogger logger, string tenantId, string conversationId, string code, string reason);
}
