using System.Runtime.CompilerServices;
using System.Text;
using Conversations.Contracts;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Knowledge;
using Conversations.Grains.Knowledge;
using Conversations.Grains.Telemetry;
using Conversations.Contracts.Tenancy;
using Conversations.Models.Chat;
using Conversations.Prompting;
using Conversations.Storage.Chat;
using Microsoft.Extensions.DependencyInjection;
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
    ModelSummarizer summarizer,
    UsageStore usageStore,
    IOptions<ChatOptions> options,
    IServiceProvider services,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private readonly List<MessageRecord> _window = [];
    private string _tenantId = "";
    private string _conversationId = "";
    private long _lastSeq;
    private bool _turnRunning;
    // User memory as of the last prefix change: refreshed when the summary folds, so the prefix stays byte-stable, and
    // before the next turn whenever the user made the platform forget something (the epoch moved).
    private IReadOnlyList<MemoryFact>? _memory;
    private long _memoryEpoch;
    // Optional stages, resolved once: a silo without the feature runs the pass-through default.
    private ITurnModeration? _moderation;
    private ITurnRouter? _router;
    private IKnowledgeRetriever? _retriever;
    private bool _retrieverResolved;
    private PromptBuilder? _promptBuilder;
    private int _promptBuilderVersion;

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
    public Task<bool> IsOwnedByAsync(Caller caller) => Task.FromResult(Owns(caller));

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
        var turnClock = System.Diagnostics.Stopwatch.StartNew();
        // Explicit parents below: an async iterator restores Activity.Current on every resume.
        using var turnActivity = PlatformTracing.Source.StartActivity("chat turn");
        turnActivity?.SetTag("conversations.tenant_id", _tenantId).SetTag("conversations.conversation_id", _conversationId);
        TimeSpan? firstText = null;
        var caller = message.Caller;
        var turnId = string.IsNullOrWhiteSpace(message.ClientTurnId) ? Guid.NewGuid().ToString("n") : message.ClientTurnId!;
        var shown = new StringBuilder(); // what the user saw (after the output guard): this is what is stored
        var finished = false;
        string? modelName = null;
        RoutingContext? routing = null;
        ModelPlan? plan = null;
        var attempts = new List<ModelAttempt>();
        bool? stored = null; // whether the question committed; null while its write is still in flight
        Task persisting = Task.CompletedTask;
        ModelAttemptStart? early = null; // a first model call started while the question was committing, until read
        CallMeter? open = null; // the model call in progress: billed however the turn ends
        try
        {
            // Stage 2: input check. Its masked text is what gets stored; nothing else runs on a refusal.
            var verdict = await Moderation.CheckInputAsync(caller, _conversationId, turnId, message.Text, cancellationToken);
            // Stage 1 (durability): the question is stored before the user sees any answer. The write overlaps with the
            // settings and retrieval lookups, the prompt, the router and the start of the first model call; "received",
            // the sources and the answer are released only once it has committed.
            var userMessage = new MessageRecord(_lastSeq + 1, turnId, PromptLine.User, verdict.TextToStore, MessageStatus.Complete,
                tokens.Count(verdict.TextToStore), null, DateTimeOffset.UtcNow);
            persisting = store.AppendAsync(_tenantId, _conversationId, [userMessage]);
            _lastSeq = userMessage.Seq;
            _window.Add(userMessage);
            var settingsTask = GrainFactory.GetGrain<ITenantGrain>(_tenantId).GetSettingsAsync();
            var memoryEpochTask = UserGrainOf(caller.UserId).GetMemoryEpochAsync();
            var retrievalTask = verdict.Allowed && Retriever is { } retriever
                ? retriever.RetrieveAsync(_tenantId, caller.UserId, verdict.TextForModel, options.Value.RetrievalTopK, cancellationToken)
                : null;
            if (!verdict.Allowed)
            {
                stored = await CompletesAsync(persisting);
                if (stored == false)
                {
                    finished = true;
                    yield return QuestionNotStored(userMessage);
                    yield break;
                }
                yield return Received;
                var refusal = verdict.RefusalMessage ?? "This message can't be answered.";
                await SaveAssistantAsync(NewAssistant(turnId, refusal, MessageStatus.Refused, "moderation"), null);
                finished = true;
                RecordTurn(turnActivity, "refused", "moderation", null, turnClock.Elapsed, null, attempts);
                yield return new ErrorEvent(verdict.RefusalCode ?? "input_refused", refusal, false) { RiskLevel = verdict.RiskLevel, Labels = verdict.Labels };
                yield break;
            }

            var settings = await settingsTask;
            if (_memory is null || await memoryEpochTask != _memoryEpoch) await LoadMemoryAsync(caller.UserId);

            // Stages 3-4: retrieval, filtered by what this user may read (started above).
            var retrieval = RetrievalResult.Empty;
            if (retrievalTask is not null)
            {
                yield return new ProgressEvent("searching", "Searching the knowledge base…");
                retrieval = await retrievalTask;
                if (persisting.IsCompleted)
                {
                    // Retrieval usually outlasts the commit: say "received" as soon as it is true.
                    stored = persisting.IsCompletedSuccessfully;
                    if (stored == false)
                    {
                        finished = true;
                        yield return QuestionNotStored(userMessage);
                        yield break;
                    }
                    yield return Received;
                }
                yield return new ProgressEvent("searched", retrieval.Chunks.Count switch
                {
                    0 => "No matching sources found.",
                    1 => "Found 1 source.",
                    var n => $"Found {n} sources.",
                });
            }

            // Stage 5: the prompt, stable prefix first.
            var prompt = BuildPrompt(settings, userMessage with { Content = verdict.TextForModel }, retrieval);
            var request = new ModelRequest(prompt.Messages.Select(m => new PromptLine(m.Role, m.Content)).ToList(), prompt.MaxOutputTokens,
                CacheKey: PromptCacheHints.CacheKey(_tenantId, _conversationId));

            // Stage 6: the router's plan.
            // Depth counts stored turns, folded ones too: a folded conversation is never a first question.
            var depth = (int)((userMessage.Seq - 1) / 2);
            var privateContext = _memory is { Count: > 0 } || state.State.Summary.Length > 0 || depth > 0;
            routing = new RoutingContext(caller, _conversationId, turnId, verdict.TextForModel, depth, prompt.PromptTokens,
                prompt.MaxOutputTokens, retrieval.Chunks.Count > 0 ? retrieval.Chunks.Max(c => c.Similarity ?? 0) : null,
                retrieval.AclVersion, prompt.IncludedChunkIds, privateContext, _memoryEpoch);
            plan = await Router.PlanAsync(routing, cancellationToken);
            var source = plan.ReadyAnswer is null ? null : new[] { new ModelCandidate(plan.ReadyAnswerSource ?? "ready", new ReadyAnswerModel(plan.ReadyAnswer)) };
            var chain = source ?? plan.Chain;

            if (stored is null)
            {
                // The question is still committing: start the first model call now, and release nothing until the commit is done.
                if (plan.RefusalMessage is null)
                {
                    early = StartAttempt(chain[0], request, false, turnActivity, cancellationToken);
                    open = new CallMeter(chain[0], () => prompt.PromptTokens, tokens);
                }
                stored = await CompletesAsync(persisting);
                if (stored == false)
                {
                    // Nothing was shown, but the call started beside the write is billed for what it produced.
                    var abandoned = early;
                    early = null;
                    if (abandoned is not null && await abandoned.AbandonAsync() is { } produced) open!.Add(produced);
                    if (open is not null) attempts.Add(open.Close(null));
                    open = null;
                    finished = true;
                    var spent = await Router.TurnFinishedAsync(routing, plan, attempts, null, TurnBilling.Usage(attempts) ?? TurnUsage.None, "", false);
                    await WriteUsageAsync(TurnBilling.Rows(_tenantId, caller.UserId, _conversationId, turnId, attempts, spent, null));
                    yield return QuestionNotStored(userMessage);
                    yield break;
                }
                yield return Received;
            }
            if (plan.RefusalMessage is not null)
            {
                await SaveAssistantAsync(NewAssistant(turnId, plan.RefusalMessage, MessageStatus.Refused, "router"), null);
                finished = true;
                RecordTurn(turnActivity, "refused", "router", null, turnClock.Elapsed, null, attempts);
                await Router.TurnFinishedAsync(routing, plan, attempts, null, TurnUsage.None, "", false);
                yield return new ErrorEvent(plan.RefusalCode, plan.RefusalMessage, plan.RefusalRetryable);
                yield break;
            }
            foreach (var chunk in retrieval.Chunks.Where(c => prompt.IncludedChunkIds.Contains(ChunkId(c))))
                yield return new CitationEvent(chunk.DocumentId, chunk.Title, chunk.ChunkIndex, chunk.Score);

            // Stages 6-7: call the models in order; the output guard sees every delta before the user does.
            var guard = Moderation.StartOutput(caller, _conversationId, turnId);
            var raw = new StringBuilder();
            ModelFailure? failure = null;
            var withheld = false;
            var continued = false;
            yield return new ProgressEvent("generating", "Writing the answer…");
            for (var i = 0; i < chain.Count && !withheld; i++)
            {
                var candidate = chain[i];
                // The model stopped part-way and only the extractive responder is left: its reply spliced onto the
                // model's words would read as nonsense, so the answer ends here, marked incomplete (below).
                if (raw.Length > 0 && !chain.Skip(i).Any(c => CallMeter.CallsProvider(c.Model))) break;
                failure = null;
                var reuse = i == 0 && early is not null;
                var attemptRequest = raw.Length == 0 ? request : ContinuationRequest(request, raw.ToString());
                var attempt = reuse ? early! : StartAttempt(candidate, attemptRequest, raw.Length > 0, turnActivity, cancellationToken);
                early = null; // the loop owns it now
                if (!reuse)
                    open = new CallMeter(candidate, raw.Length == 0 ? () => prompt.PromptTokens : () => CallMeter.EstimatePromptTokens(tokens, attemptRequest), tokens);
                var meter = open!;
                using var attemptScope = attempt;
                var attemptStart = attempt.Started; // for an early attempt, its time to first token includes any wait for the commit
                var attemptActivity = attempt.Activity;
                await foreach (var step in attempt.Stream)
                {
                    if (step.Failure is not null) { failure = step.Failure; break; }
                    meter.Add(step);
                    if (string.IsNullOrEmpty(step.Text)) continue;
                    meter.TimeToFirstToken ??= DateTimeOffset.UtcNow - attemptStart;
                    modelName = candidate.ModelId;
                    raw.Append(step.Text);
                    var safe = guard.Push(step.Text);
                    if (safe.SafeText.Length > 0)
                    {
                        firstText ??= turnClock.Elapsed;
                        shown.Append(safe.SafeText);
                        yield return new DeltaEvent(safe.SafeText);
                    }
                    if (safe.Withheld)
                    {
                        withheld = true;
                        var notice = "\n\n" + (safe.Notice ?? "The rest of this answer was withheld.");
                        shown.Append(notice);
                        yield return new DeltaEvent(notice);
                        break;
                    }
                }
                var ttft = meter.TimeToFirstToken;
                attempts.Add(meter.Close(failure));
                open = null;
                if (ttft is { } attemptTtft) attemptActivity?.SetTag("conversations.time_to_first_token_ms", attemptTtft.TotalMilliseconds);
                if (failure is not null) attemptActivity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failure.Code);
                if (failure is null) break;
                if (ttft is not null && chain.Skip(i + 1).Any(c => CallMeter.CallsProvider(c.Model)))
                {
                    // Mid-answer failure: the next model continues from the partial answer; the user sees one answer.
                    continued = true;
                    yield return new ProgressEvent("continuing", "The answer was interrupted; a backup model is finishing it…");
                }
            }
            if (!withheld)
            {
                var tail = guard.Complete();
                if (tail.SafeText.Length > 0) { firstText ??= turnClock.Elapsed; shown.Append(tail.SafeText); yield return new DeltaEvent(tail.SafeText); }
                if (tail.Withheld) { var notice = "\n\n" + (tail.Notice ?? "The rest of this answer was withheld."); shown.Append(notice); yield return new DeltaEvent(notice); withheld = true; }
            }
            // The model stopped part-way and no model could finish: say so in the answer itself, so the stored message
            // and every client show it, and end with a retryable error (the partial answer is kept).
            var cutOff = failure is not null && raw.Length > 0 && !withheld;
            if (cutOff) { shown.Append(CutOffNotice); yield return new DeltaEvent(CutOffNotice); }

            var text = shown.ToString();
            var completed = failure is null || withheld;
            // What the calls consumed, each at its own model; with no model billed (a ready or extractive answer), the
            // answer's own size, for the token limits and the done event.
            var turnUsage = TurnBilling.Usage(attempts) ?? new TurnUsage(prompt.PromptTokens, 0, tokens.Count(raw.ToString()), 0m);
            var cost = await Router.TurnFinishedAsync(routing, plan, attempts, modelName, turnUsage, text, completed);
            turnUsage = turnUsage with { CostUsd = cost.TotalUsd };
            modelName ??= attempts.LastOrDefault()?.ModelId ?? chain[0].ModelId;
            var status = completed ? MessageStatus.Complete : cutOff ? MessageStatus.Incomplete : MessageStatus.Failed;
            var assistant = NewAssistant(turnId, completed || cutOff ? text : failure!.Message, status, modelName) with
            {
                TokenCount = cutOff ? tokens.Count(text) : turnUsage.CompletionTokens,
            };
            await SaveAssistantAsync(assistant, TurnBilling.Rows(_tenantId, caller.UserId, _conversationId, turnId, attempts, cost, modelName));
            finished = true;
            RecordTurn(turnActivity, completed ? (withheld ? "withheld" : "complete") : cutOff ? "incomplete" : "failed", modelName, firstText, turnClock.Elapsed, turnUsage, attempts);
            await Moderation.TurnFinishedAsync(caller, _conversationId, turnId, turnUsage, text);
            if (!completed)
            {
                LogModelFailure(logger, _tenantId, _conversationId, failure!.Code, failure.Message);
                yield return new ErrorEvent(failure.Code,
                    failure.Message + (cutOff ? " The partial answer above is saved." : "") + " Please try again in a moment.", true);
                yield break;
            }
            yield return new DoneEvent(turnId, userMessage.Seq, assistant.Seq, turnUsage, modelName, withheld ? "content_filter" : "stop")
            {
                Route = plan.ReadyAnswerSource ?? plan.Reason,
                Continued = continued,
            };
            // After the answer, off the time-to-first-token path: fold old turns, learn durable facts.
            await FoldIfNeededAsync(settings, caller.UserId);
            await UserGrainOf(caller.UserId).RememberFromMessageAsync(verdict.TextToStore);
        }
        finally
        {
            try
            {
                // Started and never read (the turn ended first): billed for what it produced, like any other call.
                if (early is not null && await early.AbandonAsync() is { } produced) open?.Add(produced);
                if (open is not null) attempts.Add(open.Close(null)); // cut short by the caller leaving or a throw
                var questionOpen = !finished && _window.Count > 0 && _window[^1].TurnId == turnId && _window[^1].Role == PromptLine.User;
                // The turn may have ended while the question was still committing: only a stored question gets a closing answer.
                if (questionOpen && (stored ??= await CompletesAsync(persisting)) == false)
                {
                    _window.RemoveAt(_window.Count - 1);
                    _lastSeq--;
                    if (routing is not null && plan is not null)
                        await WriteUsageAsync(TurnBilling.Rows(_tenantId, caller.UserId, _conversationId, turnId, attempts,
                            await Router.TurnFinishedAsync(routing, plan, attempts, modelName, TurnBilling.Usage(attempts) ?? TurnUsage.None, "", false), null));
                }
                else if (questionOpen)
                {
                    // The caller went away (or the turn threw) after the question was stored: keep what was shown, marked, and
                    // bill every call, the one cut short included. None of this uses the caller's token: the caller is gone.
                    var usage = TurnBilling.Usage(attempts) ?? TurnUsage.None;
                    TurnCost? cost = null;
                    try
                    {
                        if (routing is not null && plan is not null)
                            cost = await Router.TurnFinishedAsync(routing, plan, attempts, modelName, usage, shown.ToString(), false);
                    }
                    catch (Exception e)
                    {
                        // The answer and its tokens are still stored below; the budget's reservation expires on its own.
                        LogSettleFailed(logger, _tenantId, _conversationId, e);
                    }
                    usage = usage with { CostUsd = cost?.TotalUsd ?? 0m };
                    await SaveAssistantAsync(NewAssistant(turnId, shown.ToString(), MessageStatus.Interrupted, modelName),
                        TurnBilling.Rows(_tenantId, caller.UserId, _conversationId, turnId, attempts, cost, plan is null ? null : modelName ?? attempts.LastOrDefault()?.ModelId ?? "none"));
                    RecordTurn(turnActivity, "abandoned", modelName, firstText, turnClock.Elapsed, usage, attempts);
                }
            }
            finally
            {
                _turnRunning = false; // even when the bookkeeping throws: a stuck flag would refuse every later turn
            }
        }
    }

    // Dashboard figures (seed 4.4): outcome, latency, tokens, cost and failed model attempts; no tenant or user ids as tags.
    private static void RecordTurn(System.Diagnostics.Activity? activity, string outcome, string? model, TimeSpan? firstText, TimeSpan elapsed,
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

    private ITurnModeration Moderation => _moderation ??= services.GetService<ITurnModeration>() ?? new PassThroughModeration();
    private ITurnRouter Router => _router ??= services.GetService<ITurnRouter>() ?? new SingleModelRouter(models);
    private IKnowledgeRetriever? Retriever => _retrieverResolved ? _retriever : (_retrieverResolved = true, _retriever = services.GetService<IKnowledgeRetriever>()).Item2;

    private static readonly ProgressEvent Received = new("received", "Got your message.");

    // The question's write failed: forget it here and tell the user it was not sent (nothing was shown after it).
    private ErrorEvent QuestionNotStored(MessageRecord question)
    {
        _window.Remove(question);
        _lastSeq--;
        return new ErrorEvent("storage_unavailable", "We couldn't save your message, so it was not sent. Please try again in a moment.", true);
    }

    private ModelAttemptStart StartAttempt(ModelCandidate candidate, ModelRequest request, bool continuation, System.Diagnostics.Activity? turnActivity, CancellationToken cancellationToken)
    {
        var activity = turnActivity is null ? null
            : PlatformTracing.Source.StartActivity("model attempt", System.Diagnostics.ActivityKind.Client, turnActivity.Context);
        activity?.SetTag("conversations.model", candidate.ModelId).SetTag("conversations.continuation", continuation);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chat = models.Options;
        var started = DateTimeOffset.UtcNow;
        return new ModelAttemptStart(new StartedStream<GuardedUpdate>(
            ModelStreaming.GuardAsync(candidate.Model, request, chat.FirstTokenTimeout, chat.StallTimeout, cts.Token), cts.Token), cts, activity, started);
    }

    private static async Task<bool> CompletesAsync(Task task)
    {
        try { await task; return true; }
        catch (Exception) { return false; }
    }

    private MessageRecord NewAssistant(string turnId, string content, string status, string? model) =>
        new(_lastSeq + 1, turnId, PromptLine.Assistant, content, status, tokens.Count(content), model, DateTimeOffset.UtcNow);

    // Usage of calls whose turn left no message (its question was not stored): written alone, and a failure is logged,
    // never thrown, since the turn is already ending.
    private async Task WriteUsageAsync(IReadOnlyList<UsageRecord> rows)
    {
        if (rows.Count == 0) return;
        try
        {
            await usageStore.WriteAsync(rows, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogUsageLost(logger, _tenantId, _conversationId, rows.Count, e);
        }
    }

    // Ends an answer the model stopped part-way when no other model can finish it.
    private const string CutOffNotice = "\n\n[This answer is incomplete: the model stopped responding part-way through. Please ask again for a full answer.]";

    private static ModelRequest ContinuationRequest(ModelRequest original, string partial) => original with
    {
        Messages = [.. original.Messages,
            new PromptLine(PromptLine.Assistant, partial),
            new PromptLine(PromptLine.User, "Your previous answer was cut off. Continue it from exactly where it stopped, without repeating anything and without comment.")],
    };

    private static string ChunkId(KnowledgeChunk c) => $"{c.DocumentId}#{c.ChunkIndex}";

    private BuiltPrompt BuildPrompt(TenantSettings settings, MessageRecord question, RetrievalResult retrieval)
    {
        // One builder per settings version: it caches the stable prefix's token count across turns.
        if (_promptBuilder is null || _promptBuilderVersion != settings.Version)
            (_promptBuilder, _promptBuilderVersion) = (new PromptBuilder(tokens, ChatBudgets.For(settings)), settings.Version);
        var builder = _promptBuilder;
        var system = settings.Name.Length > 0 ? $"{options.Value.SystemPrompt}\n\nOrganisation: {settings.Name}" : options.Value.SystemPrompt;
        return builder.Build(new PromptRequest
        {
            SystemPrompt = system,
            TenantInstructions = settings.Instructions,
            ConciseAnswerInstruction = settings.ConciseInstruction,
            MemoryFacts = _memory ?? [],
            ConversationSummary = state.State.Summary,
            RecentTurns = RecentTurns(excludingSeq: question.Seq),
            Chunks = retrieval.Chunks.Select(c => new RetrievedChunk(ChunkId(c), c.Text, c.Title)).ToList(),
            Question = ToTurnMessage(question),
        });
    }

    // Folds the oldest turns into the summary once the window passes the tenant's threshold, in one step down to the target.
    private async Task FoldIfNeededAsync(TenantSettings settings, string userId)
    {
        var turns = RecentTurns(excludingSeq: null);
        var budget = ChatBudgets.For(settings);
        var plan = new ContextWindowPlanner(budget).PlanFold(turns);
        if (!plan.ShouldFold) return;
        var folded = plan.TurnsToFold.SelectMany(t => t.Messages).ToList();
        var maxTokens = budget.MaxSummaryTokens;
        // The summary is billed like a turn, under its own id: budget reservation, settlement and a usage record.
        var foldId = $"fold-{_conversationId}-{plan.TurnsToFold[^1].LastSequence}";
        var written = await summarizer.SummarizeAsync(state.State.Summary, folded, maxTokens,
            promptTokens => Router.ChooseSummaryModelAsync(_tenantId, foldId, promptTokens, maxTokens), CancellationToken.None);
        var cost = await Router.SummaryFinishedAsync(written.Choice, written.Usage);
        if (written.Usage is { } used)
            await usageStore.WriteAsync([new UsageRecord(_tenantId, userId, _conversationId, foldId, written.Choice.ModelId,
                used.PromptTokens, used.CachedPromptTokens, used.CompletionTokens, cost, UsageKinds.Summary, 0, written.Estimated)]);
        var summary = written.Text;
        state.State.Summary = summary;
        state.State.SummarizedThroughSeq = plan.TurnsToFold[^1].LastSequence;
        await state.WriteStateAsync();
        _window.RemoveAll(m => m.Seq <= state.State.SummarizedThroughSeq);
        // The prefix changes anyway with the new summary: pick up memory learned since.
        await LoadMemoryAsync(userId);
        LogFolded(logger, _tenantId, _conversationId, folded.Count, tokens.Count(summary));
    }

    private IReadOnlyList<ConversationTurn> RecentTurns(long? excludingSeq) => ConversationTurn.Group(
        _window.Where(m => m.Seq != excludingSeq && m.Content.Length > 0
            && m.Status is MessageStatus.Complete or MessageStatus.Interrupted or MessageStatus.Incomplete)
            .Select(ToTurnMessage));

    private static ChatTurnMessage ToTurnMessage(MessageRecord m) => new(m.Role, m.Content, m.TokenCount, m.Seq);

    // The epoch is read first: a deletion between the two reads only costs one more reload on the next turn.
    private async Task LoadMemoryAsync(string userId)
    {
        var user = UserGrainOf(userId);
        _memoryEpoch = await user.GetMemoryEpochAsync();
        _memory = (await user.GetMemoryAsync()).Select(f => new MemoryFact(f.Id, f.Slot, f.Text, f.Sequence, f.TokenCount)).ToList();
    }

    private IUserGrain UserGrainOf(string userId) => GrainFactory.GetGrain<IUserGrain>(GrainKeys.Scoped(_tenantId, userId));

    private async Task SaveAssistantAsync(MessageRecord assistant, IReadOnlyList<UsageRecord>? usage)
    {
        // Not the caller's token: the answer and its bill are written even when the caller has gone.
        await store.AppendAsync(_tenantId, _conversationId, [assistant], usage, CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not settle an abandoned turn of {TenantId}/{ConversationId}")]
    private static partial void LogSettleFailed(ILogger logger, string tenantId, string conversationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Rows} usage rows of {TenantId}/{ConversationId}")]
    private static partial void LogUsageLost(ILogger logger, string tenantId, string conversationId, int rows, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model failed in {TenantId}/{ConversationId}: {Code} {Reason}")]
    private static partial void LogModelFailure(ILogger logger, string tenantId, string conversationId, string code, string reason);
}
