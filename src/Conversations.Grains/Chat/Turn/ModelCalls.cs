using System.Diagnostics;
using Conversations.Contracts.Telemetry;
using Conversations.Models.Chat;

namespace Conversations.Grains.Chat.Turn;

/// <summary>
/// A turn's model calls: starts each one (its trace span under the turn's, its timeouts), meters the call in
/// progress, and lists the finished ones with what they consumed, so every call is billed however the turn ends.
/// </summary>
internal sealed class ModelCalls(ChatPipeline pipeline, Activity? turnActivity)
{
    private readonly List<ModelAttempt> _attempts = [];
    private ModelAttemptStart? _early; // a first call started while the question was committing, until read

    /// <summary>The finished calls, in order.</summary>
    public IReadOnlyList<ModelAttempt> Attempts => _attempts;

    /// <summary>The question's verdict, once the prompt is built: each request is gated by its personal-data policy.</summary>
    public InputVerdict? Verdict { get; set; }

    /// <summary>The meter of the call in progress; null between calls.</summary>
    public CallMeter? Open { get; private set; }

    /// <summary>Starts the first call while the question is still committing; <see cref="Begin"/> picks it up.</summary>
    public void StartEarly(ModelCandidate candidate, ModelRequest request, int promptTokens, CancellationToken cancellationToken)
    {
        _early = Start(candidate, request, false, cancellationToken);
        Open = new CallMeter(candidate, () => promptTokens, pipeline.Tokens);
    }

    /// <summary>The next call: the early one when it is waiting, else a new one (a continuation of a partial answer when <paramref name="continuation"/>).</summary>
    public ModelAttemptStart Begin(ModelCandidate candidate, ModelRequest request, Func<int> promptTokens, bool continuation, CancellationToken cancellationToken)
    {
        if (_early is { } early)
        {
            _early = null;
            return early;
        }
        Open = new CallMeter(candidate, promptTokens, pipeline.Tokens);
        return Start(candidate, request, continuation, cancellationToken);
    }

    /// <summary>Ends the call in progress with how it went; returns it with what it consumed.</summary>
    public ModelAttempt Close(ModelFailure? failure)
    {
        var attempt = Open!.Close(failure);
        _attempts.Add(attempt);
        Open = null;
        return attempt;
    }

    /// <summary>Stops what still runs (an early call never read, a call cut short by the caller leaving or a throw); each is billed for what it produced.</summary>
    public async Task StopAsync()
    {
        var early = _early;
        _early = null;
        if (early is not null && await early.AbandonAsync() is { } produced) Open?.Add(produced);
        if (Open is not null) Close(null);
    }

    private ModelAttemptStart Start(ModelCandidate candidate, ModelRequest request, bool continuation, CancellationToken cancellationToken)
    {
        var activity = turnActivity is null ? null
            : PlatformTracing.Source.StartActivity("model attempt", ActivityKind.Client, turnActivity.Context);
        activity?.SetTag("conversations.model", candidate.ModelId).SetTag("conversations.continuation", continuation);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chat = pipeline.Models.Options;
        // A model that reads no images gets the text alone: a text follow-up may go to it while earlier questions had images.
        if (!candidate.Vision && request.Images is not null) request = request with { Images = null };
        if (Verdict is not null) request = PersonalDataGate.For(candidate.Model, request, Verdict, pipeline.Options.PersonalDataAllowedHosts);
        var started = DateTimeOffset.UtcNow;
        return new ModelAttemptStart(new StartedStream<GuardedUpdate>(
            ModelStreaming.GuardAsync(candidate.Model, request, chat.FirstTokenTimeout, chat.StallTimeout, cts.Token), cts.Token), cts, activity, started);
    }
}
