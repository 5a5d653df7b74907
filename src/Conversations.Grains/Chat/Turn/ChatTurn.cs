using System.Diagnostics;
using System.Runtime.CompilerServices;
using Conversations.Contracts.Chat;
using Conversations.Contracts.Knowledge;
using Conversations.Contracts.Telemetry;
using Conversations.Contracts.Tenancy;
using Conversations.Grains.Knowledge;
using Conversations.Models.Chat;
using Conversations.Prompting.Layout;
using Conversations.Storage.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// One chat turn: runs the stages in order and passes on the events each yields, until one ends the turn with an
/// <see cref="Outcome"/>. A turn that stops without one (the caller left, or a stage threw) is settled at its end: every
/// model call is billed, and a stored question gets an interrupted (or, when the user stopped it, stopped) answer with what was shown.
/// </summary>
internal sealed class ChatTurn(ChatPipeline pipeline, ConversationScope conversation, SendMessage message, string? requestFingerprint = null)
{
    private static readonly ITurnStage[] Stages =
    [
        new InputCheckStage(), new ContextStage(), new RetrievalStage(), new PromptStage(), new RouteStage(),
        new ModelAttemptsStage(), new RecordStage(),
    ];

    /// <summary>The silo's services for turns.</summary>
    public ChatPipeline Pipeline => pipeline;
    /// <summary>The conversation the turn belongs to.</summary>
    public ConversationScope Conversation => conversation;
    /// <summary>Who asks.</summary>
    public Caller Caller => message.Caller;
    /// <summary>The turn's id: the client's, or a new one.</summary>
    public string TurnId { get; } = string.IsNullOrWhiteSpace(message.ClientTurnId) ? Guid.NewGuid().ToString("n") : message.ClientTurnId!;
    /// <summary>The fingerprint of the request, stored with the question (null only when the tenant's data key is destroyed).</summary>
    public string? RequestFingerprint => requestFingerprint;
    /// <summary>The question as the user wrote it.</summary>
    public string Question => message.Text;
    /// <summary>The ids of the images the message carries (checked at the API as the asker's own).</summary>
    public IReadOnlyList<string> ImageIds => message.ImageIds ?? [];
    /// <summary>The images the question carries, loaded by the input check; empty for text only.</summary>
    public IReadOnlyList<TurnImage> Images { get; set; } = [];
    /// <summary>Earlier questions' images the prompt places, sent again to a vision model (see <see cref="EarlierImages"/>).</summary>
    public IReadOnlyList<EarlierImages.Placed> EarlierImagePlaces { get; set; } = [];
    /// <summary>The tier or model the client asked for; null lets routing choose.</summary>
    public string? RequestedModel => message.Model;
    /// <summary>The client's cap on the answer's tokens (lowers the tenant's limit); null for none.</summary>
    public int? RequestedMaxOutputTokens => message.MaxOutputTokens;
    /// <summary>
    /// True when the client's cap is below the tenant's limit, so the answer's limit is the client's: an answer cut there
    /// is what was asked for (no escalation), and the answer caches are neither read nor filled.
    /// </summary>
    public bool ClientCappedOutput { get; set; }
    /// <summary>Runs from the turn's start (latency figures).</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>When the turn began, on the wall clock: its usage rows bill the tenant that existed then.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    /// <summary>The turn's trace span; the explicit parent of its model attempts.</summary>
    public Activity? Activity { get; private set; }

    /// <summary>Stage 2's moderation of this turn: verdict, output guard, finish.</summary>
    public IModeratedTurn Moderation { get; set; } = null!;
    /// <summary>Stage 1's gate: the question and its write.</summary>
    public QuestionCommit Commit { get; private set; } = null!;
    /// <summary>The tenant's settings, read beside the question's commit.</summary>
    public Task<TenantSettings> SettingsRead { get; private set; } = null!;
    /// <summary>The asker's memory epoch, read beside the question's commit.</summary>
    public Task<long> MemoryEpochRead { get; private set; } = null!;
    /// <summary>The question as the embedding model may receive it; set with the verdict.</summary>
    public QuestionEmbedding Embedding { get; private set; } = null!;
    /// <summary>The knowledge search, started beside the question's commit; null when the platform has no knowledge base or the question was refused.</summary>
    public Task<RetrievalResult>? Search { get; private set; }
    /// <summary>The tenant's settings, once read.</summary>
    public TenantSettings Settings { get; set; } = null!;
    /// <summary>What retrieval found for the prompt.</summary>
    public RetrievalResult Retrieval { get; set; } = RetrievalResult.Empty;
    /// <summary>Stage 5's prompt.</summary>
    public BuiltPrompt Prompt { get; set; } = null!;
    /// <summary>The prompt as the models get it.</summary>
    public ModelRequest Request { get; set; } = null!;
    /// <summary>Stage 6's routed turn: plan and finish; null until routed.</summary>
    public IRoutedTurn? Route { get; set; }
    /// <summary>The models to try in order (a ready answer streams through the same path).</summary>
    public IReadOnlyList<ModelCandidate> Chain { get; set; } = [];
    /// <summary>Why the first model's answer was replaced by the escalation model's; null when it was not.</summary>
    public string? Escalated { get; set; }
    /// <summary>The turn's model calls, each billed however the turn ends.</summary>
    public ModelCalls Calls { get; private set; } = null!;
    /// <summary>The answer: what the models wrote and what the user saw.</summary>
    public TurnAnswer Answer { get; private set; } = null!;
    /// <summary>How the turn ended; null while it runs.</summary>
    public TurnOutcome? Outcome { get; set; }
    /// <summary>The sources the answer cites, in the order they were sent; stored with the answer.</summary>
    public List<CitationRecord> Citations { get; } = [];
    /// <summary>Set when the user stopped the turn: its cancellation ends it as <see cref="TurnOutcome.Stopped"/>.</summary>
    public bool StopRequested { get; set; }
    /// <summary>The event that ends a turn which stopped without one of its own (stopped, or abandoned); null otherwise.</summary>
    public ChatEvent? Final { get; set; }
    /// <summary>The route's settlement once made (it is made once, however the turn ends); null before.</summary>
    public TurnCost? Settled { get; set; }
    /// <summary>Set when the conversation (or its user) was erased while the turn ran: its calls are billed anonymised.</summary>
    public bool ConversationGone { get; set; }
    /// <summary>How many events the turn has sent; the event that ends it is number <c>EventsSent + 1</c>, stored with the answer.</summary>
    public int EventsSent { get; private set; }
    /// <summary>The number the event sent next will have (the answer saved just before its turn's final event stores it).</summary>
    public int NextEventNumber => EventsSent + 1;

    /// <summary>Runs the turn.</summary>
    public async IAsyncEnumerable<ChatEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Explicit parents below: an async iterator restores Activity.Current on every resume.
        using var activity = Activity = PlatformTracing.Source.StartActivity("chat turn");
        activity?.SetTag("conversations.tenant_id", conversation.TenantId).SetTag("conversations.conversation_id", conversation.ConversationId);
        Calls = new ModelCalls(pipeline, activity);
        Answer = new TurnAnswer(Clock);
        try
        {
            var shown = false;
            foreach (var stage in Stages)
            {
                await foreach (var e in stage.RunAsync(this, cancellationToken))
                {
                    if (!shown && e is DeltaEvent) PlatformTracing.Mark(activity, "first delta");
                    shown |= e is DeltaEvent;
                    EventsSent++;
                    yield return e;
                }
                if (activity is not null) PlatformTracing.Mark(activity, stage.GetType().Name);
                if (Outcome is not null) break;
            }
            // After the last event (the watchers' streams have ended): fold old turns.
            if (Outcome?.Delivered() == true) await SummaryFold.FoldIfNeededAsync(this);
        }
        finally
        {
            await EndAsync();
        }
    }

    /// <summary>
    /// Stage 1 begins: the question, as the input check lets it be stored, is written while the turn goes on, beside the
    /// settings and memory reads and the knowledge search; "received" waits for the write (see <see cref="QuestionCommit"/>).
    /// </summary>
    public void Receive(CancellationToken cancellationToken)
    {
        var verdict = Moderation.Verdict;
        Embedding = pipeline.Embeddings.For(verdict);
        // A refused edit replaces nothing: the answered turn stays, and the refused question follows it.
        Commit = QuestionCommit.Start(conversation.Log, TurnId, verdict.TextToStore, pipeline.Tokens, Images.Select(i => i.ImageId).ToList(), requestFingerprint,
            verdict.Allowed ? message.Replaces : null);
        if (Activity is { IsAllDataRequested: true } traced)
            _ = Commit.Write.ContinueWith(_ => PlatformTracing.Mark(traced, "question stored"), TaskScheduler.Default);
        SettingsRead = conversation.Tenant.GetSettingsAsync();
        MemoryEpochRead = conversation.User(Caller.UserId).GetMemoryEpochAsync();
        Search = verdict.Allowed && pipeline.Retriever is not NoKnowledgeRetriever
            ? pipeline.Retriever.RetrieveAsync(conversation.TenantId, Caller.UserId, Embedding, pipeline.Options.RetrievalTopK, cancellationToken)
            : null;
    }

    // However the stages stopped: calls still running are billed for what they produced, and a turn left without an
    // outcome while its question is the log's last message is settled by whether that question was stored.
    // A turn whose conversation was erased meanwhile stores nothing, but its calls are still settled and billed.
    private async Task EndAsync()
    {
        await Calls.StopAsync();
        if (Outcome is not null || Commit is null) return;
        if (!ConversationGone && conversation.Log.EndsWithQuestionOf(TurnId))
        {
            if (!await Commit.StoredAsync()) await Commit.NotStoredAsync(this);
            else await RecordStage.AbandonedAsync(this);
        }
        if (ConversationGone) await RecordStage.AfterErasureAsync(this);
    }
}
